#include <gtest/gtest.h>

#include <chrono>

#include "helpdesk/domain/threading.hpp"

using namespace helpdesk;
using namespace std::chrono_literals;

namespace {

constexpr const char* ticket_a = "0b5e8a4c-2f1d-4c7e-9a6b-3d2f1e0c9b8a";
constexpr const char* ticket_b = "7f3c2a1b-9e8d-4f6a-b5c4-d3e2f1a0b9c8";

timestamp at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

thread_candidate candidate(const char* id, const char* customer, ticket_status status,
                           std::optional<timestamp> solved_at = std::nullopt) {
  thread_candidate c;
  c.ticket_id = id;
  c.customer_id = customer;
  c.status = status;
  c.solved_at = solved_at;
  return c;
}

thread_input reply(std::string subject) {
  thread_input in;
  in.subject = std::move(subject);
  in.sender_customer_id = "cust-jan";
  in.now = at("2024-06-30T12:00:00Z");
  return in;
}

void expect_decision(const thread_decision& d, thread_action action, const std::string& ticket,
                     const std::string& matched_by) {
  EXPECT_EQ(d.action, action);
  EXPECT_EQ(d.ticket_id, ticket);
  EXPECT_EQ(d.matched_by, matched_by);
}

}  // namespace

TEST(TicketToken, Formats) {
  EXPECT_EQ(ticket_token("SHOP", 1042), "[SHOP-1042]");
  EXPECT_EQ(ticket_token("ACMESHOP", 1), "[ACMESHOP-1]");
}

TEST(TicketToken, Finds) {
  EXPECT_EQ(find_ticket_token("[SHOP-1042]", "SHOP"), 1042);
  EXPECT_EQ(find_ticket_token("Re: [SHOP-1042] Objednávka", "SHOP"), 1042);
  EXPECT_EQ(find_ticket_token("Re: Objednávka [shop-1042]", "SHOP"), 1042);
  EXPECT_EQ(find_ticket_token("AW: [SHOP#1042] Lieferung", "SHOP"), 1042);
  EXPECT_EQ(find_ticket_token("[SHOP-1042]", "shop"), 1042);
  EXPECT_EQ(find_ticket_token("Re:[SHOP-7]x", "SHOP"), 7);
  EXPECT_EQ(find_ticket_token("[SHOP-0042]", "SHOP"), 42);
  EXPECT_EQ(find_ticket_token("[SHOP-123456789012345678]", "SHOP"), 123456789012345678LL);
  // First token for this brand wins; other brands and malformed tokens are skipped.
  EXPECT_EQ(find_ticket_token("Re: [SHOP-1042] was [SHOP-99]", "SHOP"), 1042);
  EXPECT_EQ(find_ticket_token("[OTHER-5] [SHOP-1042]", "SHOP"), 1042);
  EXPECT_EQ(find_ticket_token("[SHOP-] [SHOP-12", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[[SHOP-8]]", "SHOP"), 8);
  EXPECT_EQ(find_ticket_token("[SHOP-1234567890123456789] [SHOP-3]", "SHOP"), 3);
}

TEST(TicketToken, Rejects) {
  EXPECT_EQ(find_ticket_token("[OTHER-1]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("SHOP-1042", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("(SHOP-1042)", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP-1234567890123456789]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP-12a]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP 1042]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP--1042]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP-+1042]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[ SHOP-1042 ]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOPX-1042]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[XSHOP-1042]", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP-1042]", "SHOPX"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP-1042]", ""), std::nullopt);
  EXPECT_EQ(find_ticket_token("", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[", "SHOP"), std::nullopt);
  EXPECT_EQ(find_ticket_token("[SHOP", "SHOP"), std::nullopt);
}

TEST(Subjects, ForwardPrefixes) {
  for (const char* s : {"Fwd: x", "FWD: x", "fwd:x", "Fw: x", "FW: [SHOP-1] x", "WG: Bestellung", "TR: commande",
                        "TR : commande", "PD: zamówienie", "VS: ordre", "VB: order", "Doorst: bestelling",
                        "RV: pedido", "ENC: pedido", "  Fwd: x", "Fwd[2]: x", "Fwd: Re: x", "Fwd:"}) {
    SCOPED_TRACE(s);
    EXPECT_TRUE(is_forward_subject(s));
  }
  for (const char* s : {"Re: Fwd: x", "AW: WG: x", "x", "", "Fwd x", "Forward: x", "Fwdx: y", "I: inoltro",
                        "Transport question", "[SHOP-1] Fwd: x", "FYI: x", "Fw x: y", "TRACKING: 123"}) {
    SCOPED_TRACE(s);
    EXPECT_FALSE(is_forward_subject(s));
  }
}

TEST(Subjects, StripPrefixes) {
  EXPECT_EQ(strip_subject_prefixes("Re: AW: Fwd: x"), "x");
  EXPECT_EQ(strip_subject_prefixes("RE: RE[2]: Re(3): Objednávka 1042"), "Objednávka 1042");
  EXPECT_EQ(strip_subject_prefixes("Odp: Sv: Antw: WG: TR: VS: Doorst: RV: Fw: hello"), "hello");
  EXPECT_EQ(strip_subject_prefixes("TR : Re : commande"), "commande");
  EXPECT_EQ(strip_subject_prefixes("re:re:re:x"), "x");
  EXPECT_EQ(strip_subject_prefixes("  Re:   spaced  "), "spaced");
  EXPECT_EQ(strip_subject_prefixes("Re: [SHOP-1042] Re: Objednávka"), "[SHOP-1042] Re: Objednávka");
  EXPECT_EQ(strip_subject_prefixes("[list] Re: x"), "[list] Re: x");
  EXPECT_EQ(strip_subject_prefixes("Reply needed: invoice"), "Reply needed: invoice");
  EXPECT_EQ(strip_subject_prefixes("Trade-in: iPhone"), "Trade-in: iPhone");
  EXPECT_EQ(strip_subject_prefixes("Re[x]: y"), "Re[x]: y");
  EXPECT_EQ(strip_subject_prefixes("Re:"), "");
  EXPECT_EQ(strip_subject_prefixes(""), "");
  EXPECT_EQ(strip_subject_prefixes("Objednávka"), "Objednávka");
}

TEST(MessageIds, Split) {
  using v = std::vector<std::string>;
  EXPECT_EQ(split_message_ids("<a@b> <c@d>"), (v{"a@b", "c@d"}));
  EXPECT_EQ(split_message_ids("<a@b>\r\n\t<c@d>\r\n <e@f>"), (v{"a@b", "c@d", "e@f"}));
  EXPECT_EQ(split_message_ids("<a@b><c@d>"), (v{"a@b", "c@d"}));
  EXPECT_EQ(split_message_ids("<a@b>, <c@d>"), (v{"a@b", "c@d"}));
  EXPECT_EQ(split_message_ids("a@b c@d"), (v{"a@b", "c@d"}));
  EXPECT_EQ(split_message_ids("  a@b  "), (v{"a@b"}));
  EXPECT_EQ(split_message_ids("<a@b> (Jan's message of Mon, 1 Jan 2024) <c@d>"), (v{"a@b", "c@d"}));
  EXPECT_EQ(split_message_ids("(comment (nested) x@y) <a@b>"), (v{"a@b"}));
  EXPECT_EQ(split_message_ids("Your message of \"Mon, 1 Jan 2024 10:00 x@y\" <a@b>"), (v{"a@b"}));
  EXPECT_EQ(split_message_ids("<CAF=abc+123/x@mail.gmail.com>"), (v{"CAF=abc+123/x@mail.gmail.com"}));
  EXPECT_EQ(split_message_ids("<very-long-id-folded\r\n @example.com>"), (v{"very-long-id-folded@example.com"}));
  EXPECT_EQ(split_message_ids("<> <a@b>"), (v{"a@b"}));
  EXPECT_EQ(split_message_ids("<a@b> <c@d"), (v{"a@b", "c@d"}));
  EXPECT_EQ(split_message_ids(""), v{});
  EXPECT_EQ(split_message_ids("   "), v{});
  EXPECT_EQ(split_message_ids("no ids here"), v{});
  EXPECT_EQ(split_message_ids("(unterminated <a@b>"), v{});
}

TEST(MessageIds, ReferenceOrder) {
  using v = std::vector<std::string>;
  // In-Reply-To first, then References newest to oldest, duplicates dropped.
  EXPECT_EQ(reference_ids("<p@x>", {"<root@x>", "<mid@x>", "<p@x>"}), (v{"p@x", "mid@x", "root@x"}));
  EXPECT_EQ(reference_ids("", {"<root@x>", "<mid@x>"}), (v{"mid@x", "root@x"}));
  EXPECT_EQ(reference_ids("<p@x>", {}), (v{"p@x"}));
  EXPECT_EQ(reference_ids("", {}), v{});
  // Entries may be whole raw header values or bare ids.
  EXPECT_EQ(reference_ids("p@x", {"<root@x> <mid@x>\r\n <p@x>"}), (v{"p@x", "mid@x", "root@x"}));
  EXPECT_EQ(reference_ids("<p@x>", {"root@x", "", "  ", "<>"}), (v{"p@x", "root@x"}));
  EXPECT_EQ(reference_ids("<p@x> (Jan's message)", {}), (v{"p@x"}));
  // Ids are case-sensitive: different spellings are different ids.
  EXPECT_EQ(reference_ids("<A@x>", {"<a@x>"}), (v{"A@x", "a@x"}));
}

TEST(MessageIds, ReferenceLimit) {
  std::vector<std::string> refs;
  for (int i = 0; i < 50; ++i) refs.push_back("<r" + std::to_string(i) + "@x>");
  auto ids = reference_ids("<p@x>", refs);
  ASSERT_EQ(ids.size(), 30u);
  EXPECT_EQ(ids[0], "p@x");
  EXPECT_EQ(ids[1], "r49@x");
  EXPECT_EQ(ids[29], "r21@x");
  EXPECT_EQ(reference_ids("<p@x>", refs, 2), (std::vector<std::string>{"p@x", "r49@x"}));
  EXPECT_TRUE(reference_ids("<p@x>", refs, 0).empty());
}

TEST(OutboundMessageId, RoundTrip) {
  std::string id = outbound_message_id(ticket_a, "9d8c7b6a-1111-2222-3333-444455556666", "mail.shop.example");
  EXPECT_EQ(id, std::string(ticket_a) + ".9d8c7b6a-1111-2222-3333-444455556666@mail.shop.example");
  EXPECT_EQ(ticket_of_outbound_message_id(id, "mail.shop.example"), ticket_a);
  EXPECT_EQ(ticket_of_outbound_message_id("<" + id + ">", "mail.shop.example"), ticket_a);
  EXPECT_EQ(ticket_of_outbound_message_id(id, "MAIL.Shop.Example"), ticket_a);
  EXPECT_EQ(ticket_of_outbound_message_id(std::string(ticket_a) + ".x@MAIL.SHOP.EXAMPLE", "mail.shop.example"),
            ticket_a);
  EXPECT_EQ(ticket_of_outbound_message_id("0B5E8A4C-2F1D-4C7E-9A6B-3D2F1E0C9B8A.m1@mail.shop.example",
                                          "mail.shop.example"),
            ticket_a);
}

TEST(OutboundMessageId, Rejects) {
  std::string local = std::string(ticket_a) + ".m1";
  EXPECT_EQ(ticket_of_outbound_message_id(local + "@other.example", "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id(local + "@shop.example", "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id(local + "@mail.shop.example.evil", "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id(std::string(ticket_a) + "@mail.shop.example", "mail.shop.example"),
            std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id(std::string(ticket_a) + ".@mail.shop.example", "mail.shop.example"),
            std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id("not-a-uuid.m1@mail.shop.example", "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id("x." + local + "@mail.shop.example", "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id("CAF=abc@mail.gmail.com", "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id(local, "mail.shop.example"), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id(local + "@mail.shop.example", ""), std::nullopt);
  EXPECT_EQ(ticket_of_outbound_message_id("", "mail.shop.example"), std::nullopt);
}

TEST(DecideThread, NothingMatchesStartsNewTicket) {
  expect_decision(decide_thread(reply("Objednávka 1042"), {}), thread_action::new_ticket, "", "");
}

TEST(DecideThread, ReplyWithOnlyInReplyToOrReferences) {
  // The caller found the ticket through In-Reply-To or References alike.
  auto in = reply("Re: Objednávka");
  in.by_reference = candidate(ticket_a, "cust-jan", ticket_status::pending);
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_a, "references");
}

TEST(DecideThread, ReferencesWinOverToken) {
  auto in = reply("Re: [SHOP-7] Objednávka");
  in.by_reference = candidate(ticket_a, "cust-jan", ticket_status::open);
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::open);
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_a, "references");
}

TEST(DecideThread, ReferencesAppendEvenFromAnotherSenderForwarding) {
  auto in = reply("Fwd: [SHOP-7] Objednávka");
  in.sender_customer_id = "cust-colleague";
  in.by_reference = candidate(ticket_a, "cust-jan", ticket_status::open);
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_a, "references");
}

TEST(DecideThread, TokenOnly) {
  auto in = reply("Re: [SHOP-7] Objednávka");
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::pending);
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
  // A reply (not a forward) from someone else still belongs to the ticket: CC'd colleagues.
  in.sender_customer_id = "cust-colleague";
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
  in.sender_customer_id = "";
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
}

TEST(DecideThread, ForwardedByAnotherSenderStartsNewTicket) {
  auto in = reply("Fwd: [SHOP-7] Objednávka");
  in.sender_customer_id = "cust-colleague";
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::open);
  expect_decision(decide_thread(in, {}), thread_action::new_ticket, "", "");
  in.subject = "WG: [SHOP-7] Bestellung";
  expect_decision(decide_thread(in, {}), thread_action::new_ticket, "", "");
  // An unknown sender has no customer id; it cannot be the ticket's customer.
  in.sender_customer_id = "";
  in.by_token->customer_id = "";
  expect_decision(decide_thread(in, {}), thread_action::new_ticket, "", "");
}

TEST(DecideThread, ForwardedBySameCustomerAppends) {
  auto in = reply("Fwd: [SHOP-7] Objednávka");
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::open);
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
}

TEST(DecideThread, SameSubjectWithoutTokenIsNew) {
  auto in = reply("Re: Objednávka 1042");
  expect_decision(decide_thread(in, {}), thread_action::new_ticket, "", "");
}

TEST(DecideThread, SolvedWithinWindowAppends) {
  auto in = reply("Re: [SHOP-7] ještě jedna otázka");
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::solved, at("2024-06-10T12:00:00Z"));
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
  // Exactly on the edge of the window is still inside it.
  in.by_token->solved_at = at("2024-05-31T12:00:00Z");
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
  // No solve time recorded: nothing says it is old.
  in.by_token->solved_at.reset();
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
}

TEST(DecideThread, SolvedLongAgoStartsLinkedTicket) {
  auto in = reply("Re: [SHOP-7] zase nefunguje");
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::solved, at("2024-05-31T11:59:59Z"));
  expect_decision(decide_thread(in, {}), thread_action::new_linked_ticket, ticket_b, "subject_token");
  in.by_token->solved_at = at("2023-01-01T00:00:00Z");
  expect_decision(decide_thread(in, {}), thread_action::new_linked_ticket, ticket_b, "subject_token");
  // A wider window keeps it.
  expect_decision(decide_thread(in, {.reopen_window_days = 1000}), thread_action::append, ticket_b, "subject_token");
  // Absurd windows are clamped rather than overflowing.
  expect_decision(decide_thread(in, {.reopen_window_days = 2'000'000'000}), thread_action::append, ticket_b,
                  "subject_token");
  expect_decision(decide_thread(in, {.reopen_window_days = -5}), thread_action::new_linked_ticket, ticket_b,
                  "subject_token");
  // With a zero window anything solved before now is old.
  in.by_token->solved_at = in.now - 1s;
  expect_decision(decide_thread(in, {.reopen_window_days = 0}), thread_action::new_linked_ticket, ticket_b,
                  "subject_token");
}

TEST(DecideThread, ClosedStartsLinkedTicket) {
  auto in = reply("Re: Objednávka");
  in.by_reference = candidate(ticket_a, "cust-jan", ticket_status::closed, at("2024-06-29T12:00:00Z"));
  expect_decision(decide_thread(in, {}), thread_action::new_linked_ticket, ticket_a, "references");
  in.by_reference->solved_at.reset();
  expect_decision(decide_thread(in, {}), thread_action::new_linked_ticket, ticket_a, "references");
}

TEST(DecideThread, AutomaticNeverReopensOrLinks) {
  auto in = reply("Automatic reply: [SHOP-7] Objednávka");
  in.automatic = true;
  in.by_reference = candidate(ticket_a, "cust-jan", ticket_status::closed, at("2020-01-01T00:00:00Z"));
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_a, "references");
  in.by_reference.reset();
  in.by_token = candidate(ticket_b, "cust-jan", ticket_status::solved, at("2020-01-01T00:00:00Z"));
  expect_decision(decide_thread(in, {}), thread_action::append, ticket_b, "subject_token");
  in.by_token.reset();
  expect_decision(decide_thread(in, {}), thread_action::new_ticket, "", "");
}

TEST(DecideThread, OpenStatesAppend) {
  for (auto s : {ticket_status::new_, ticket_status::open, ticket_status::pending, ticket_status::on_hold}) {
    auto in = reply("Re: x");
    in.by_reference = candidate(ticket_a, "cust-jan", s, at("2000-01-01T00:00:00Z"));
    expect_decision(decide_thread(in, {}), thread_action::append, ticket_a, "references");
  }
}
