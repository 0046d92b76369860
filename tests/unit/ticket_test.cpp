#include <gtest/gtest.h>

#include "helpdesk/domain/ticket.hpp"

using namespace helpdesk;

TEST(TicketStatus, Names) {
  EXPECT_EQ(to_string(ticket_status::new_), "new");
  EXPECT_EQ(to_string(ticket_status::open), "open");
  EXPECT_EQ(to_string(ticket_status::pending), "pending");
  EXPECT_EQ(to_string(ticket_status::on_hold), "on_hold");
  EXPECT_EQ(to_string(ticket_status::solved), "solved");
  EXPECT_EQ(to_string(ticket_status::closed), "closed");
}

TEST(TicketStatus, ParseRoundTripsAndRejects) {
  for (auto s : {ticket_status::new_, ticket_status::open, ticket_status::pending, ticket_status::on_hold,
                 ticket_status::solved, ticket_status::closed})
    EXPECT_EQ(parse_ticket_status(to_string(s)), s);
  for (const char* bad : {"", "new_", "New", "OPEN", "on-hold", "onhold", "hold", "resolved", " open", "open "})
    EXPECT_EQ(parse_ticket_status(bad), std::nullopt) << bad;
}

TEST(Channel, NamesAndParse) {
  EXPECT_EQ(to_string(channel::email), "email");
  EXPECT_EQ(to_string(channel::phone), "phone");
  EXPECT_EQ(to_string(channel::chat), "chat");
  EXPECT_EQ(to_string(channel::note), "note");
  for (auto c : {channel::email, channel::phone, channel::chat, channel::note}) EXPECT_EQ(parse_channel(to_string(c)), c);
  for (const char* bad : {"", "mail", "Email", "sms", "call"}) EXPECT_EQ(parse_channel(bad), std::nullopt) << bad;
}

TEST(Direction, Names) {
  EXPECT_EQ(to_string(direction::inbound), "inbound");
  EXPECT_EQ(to_string(direction::outbound), "outbound");
  EXPECT_EQ(to_string(direction::internal), "internal");
}

TEST(Priority, NamesAndParse) {
  EXPECT_EQ(to_string(priority::low), "low");
  EXPECT_EQ(to_string(priority::normal), "normal");
  EXPECT_EQ(to_string(priority::high), "high");
  EXPECT_EQ(to_string(priority::urgent), "urgent");
  for (auto p : {priority::low, priority::normal, priority::high, priority::urgent})
    EXPECT_EQ(parse_priority(to_string(p)), p);
  for (const char* bad : {"", "medium", "critical", "High", "URGENT"}) EXPECT_EQ(parse_priority(bad), std::nullopt) << bad;
}

TEST(StatusAfterInbound, CustomerMessageReopens) {
  EXPECT_EQ(status_after_inbound(ticket_status::new_), ticket_status::new_);
  EXPECT_EQ(status_after_inbound(ticket_status::open), ticket_status::open);
  EXPECT_EQ(status_after_inbound(ticket_status::pending), ticket_status::open);
  EXPECT_EQ(status_after_inbound(ticket_status::on_hold), ticket_status::open);
  EXPECT_EQ(status_after_inbound(ticket_status::solved), ticket_status::open);
  // Closed tickets are not reopened; threading starts a linked ticket.
  EXPECT_EQ(status_after_inbound(ticket_status::closed), ticket_status::closed);
}
