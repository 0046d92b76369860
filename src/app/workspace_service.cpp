#include "helpdesk/app/workspace_service.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/domain/canned.hpp"
#include "helpdesk/domain/error.hpp"
#include "helpdesk/domain/identity.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/mentions.hpp"
#include "helpdesk/domain/outbound_mail.hpp"
#include "helpdesk/domain/threading.hpp"
#include "helpdesk/domain/ticket.hpp"

namespace helpdesk::app {
namespace {

using nlohmann::json;

std::string actor_of(const principal& who) {
  return who.agent_id.empty() ? "token:" + who.credential_id : "agent:" + who.agent_id;
}

store::ticket_row visible_ticket(pqxx::transaction_base& tx, const principal& who, const std::string& id, bool lock) {
  auto t = is_uuid(id) ? store::tickets::find(tx, id, lock) : std::nullopt;
  if (!t || !who.can_see_brand(t->brand_id)) throw error::not_found("ticket");
  return *t;
}

std::string bracketed(const std::string& id) { return "<" + id + ">"; }

// The email half of a reply: addresses, threading headers, ready-made header lines.
void address_email(pqxx::transaction_base& tx, const store::ticket_row& t, const reply_draft& d,
                   const std::string& domain, store::message_row& m) {
  const auto brand = store::replies::brand(tx, t.brand_id);
  if (brand.address.empty())
    throw error::validation({{"/channel", "the brand has no inbound address to send email from"}});
  const auto parent = store::replies::last_inbound_email(tx, t.id);
  json parent_mail = parent && parent->email_json ? json::parse(*parent->email_json) : json::object();
  std::string to;
  for (const char* key : {"reply_to", "from"}) {
    if (!to.empty() || !parent_mail.contains(key)) continue;
    const auto& v = parent_mail[key];
    const std::string raw = v.is_array() ? (v.empty() ? "" : v[0].get<std::string>()) : v.is_string() ? v.get<std::string>() : "";
    if (auto a = normalize_email(raw)) to = *a;
  }
  if (to.empty()) {
    const auto known = store::replies::customer_emails(tx, t.customer_id);
    if (!known.empty()) to = known.front();
  }
  if (to.empty()) throw error::validation({{"/channel", "the customer has no email address to reply to"}});
  const std::string message_id = outbound_message_id(t.id, m.id, domain);
  std::string in_reply_to;
  std::vector<std::string> parent_refs;
  if (parent_mail.contains("message_id") && parent_mail["message_id"].is_string())
    for (auto& id : split_message_ids(parent_mail["message_id"].get<std::string>())) in_reply_to = std::move(id);
  if (parent_mail.contains("references") && parent_mail["references"].is_array())
    for (const auto& r : parent_mail["references"])
      if (r.is_string())
        for (auto& id : split_message_ids(r.get<std::string>())) parent_refs.push_back(std::move(id));
  const auto references = mail_out::reply_references(parent_refs, in_reply_to);
  m.subject = mail_out::reply_subject(t.subject, ticket_token(t.ticket_prefix, t.number));
  m.sender = brand.address;
  m.email_message_id = message_id;
  std::string refs_header;
  for (const auto& r : references) refs_header += (refs_header.empty() ? "" : " ") + bracketed(mail_out::header_safe(r));
  std::string cc_header;
  for (const auto& c : d.cc) cc_header += (cc_header.empty() ? "" : ", ") + mail_out::header_safe(c);
  json headers = {{"From", mail_out::mailbox(brand.name, brand.address)},
                  {"To", mail_out::header_safe(to)},
                  {"Subject", mail_out::encode_words(m.subject)},
                  {"Message-ID", bracketed(message_id)}};
  if (!cc_header.empty()) headers["Cc"] = cc_header;
  if (!in_reply_to.empty()) headers["In-Reply-To"] = bracketed(mail_out::header_safe(in_reply_to));
  if (!refs_header.empty()) headers["References"] = refs_header;
  m.email_json = json{{"from", brand.address},
                      {"to", json::array({to})},
                      {"cc", d.cc},
                      {"subject", m.subject},
                      {"message_id", message_id},
                      {"in_reply_to", in_reply_to.empty() ? json(nullptr) : json(in_reply_to)},
                      {"references", references},
                      {"headers", headers}}
                     .dump();
}

store::canned_responses::row visible_canned(pqxx::transaction_base& tx, const principal& who, const std::string& id) {
  auto r = is_uuid(id) ? store::canned_responses::find(tx, id) : std::nullopt;
  if (!r || !who.can_see_brand(r->brand_id)) throw error::not_found("canned response");
  return *r;
}

void check_canned_body(const std::string& body) {
  auto unknown = canned::unknown_placeholders(body);
  if (unknown.empty()) return;
  std::string known;
  for (const auto& p : canned::placeholders()) known += (known.empty() ? "" : ", ") + ("{{" + p + "}}");
  throw error::validation({{"/body", "unknown placeholder {{" + unknown.front() + "}}; known: " + known}});
}

void check_may_edit_canned(const principal& who) {
  if (who.role_ != role::admin && who.role_ != role::manager)
    throw error(errc::forbidden, "Canned responses are kept by managers.");
}

// The body of a reply made from a canned response, filled in for this ticket.
std::string render_canned(pqxx::transaction_base& tx, const principal& who, const store::ticket_row& t,
                          const std::string& id) {
  auto r = store::canned_responses::find(tx, id);
  if (!r || r->brand_id != t.brand_id)
    throw error::validation({{"/canned_response_id", "is not a canned response of the ticket's brand"}});
  auto customer = store::customers::find(tx, t.customer_id);
  const std::string customer_name = customer ? customer->name : "";
  const auto brand = store::replies::brand(tx, t.brand_id);
  return canned::render(r->body, {{"customer.name", customer_name},
                                  {"customer.first_name", canned::first_name(customer_name)},
                                  {"ticket.number", t.display_number()},
                                  {"ticket.subject", t.subject},
                                  {"agent.name", who.name},
                                  {"agent.first_name", canned::first_name(who.name)},
                                  {"brand.name", brand.name}});
}

}  // namespace

awaitable<std::vector<store::canned_responses::row>> workspace_service::list_canned(const principal& who,
                                                                                  store::canned_responses::filter f,
                                                                                  store::page_request page) {
  auto job = [scope = store::brand_scope::of(who), f, page](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::canned_responses::list(tx, scope, f, page);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::canned_responses::row> workspace_service::canned(const principal& who, std::string id) {
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return visible_canned(tx, who, id);
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::canned_responses::row> workspace_service::create_canned(const principal& who,
                                                                        store::canned_responses::row r) {
  check_may_edit_canned(who);
  if (!is_uuid(r.brand_id) || !who.can_see_brand(r.brand_id))
    throw error::validation({{"/brand_id", "is not one of your brands"}});
  check_canned_body(r.body);
  r.id = new_uuid_v7();
  auto job = [r](pqxx::connection_base& c) {
    pqxx::work tx(c);
    store::canned_responses::insert(tx, r);
    auto made = *store::canned_responses::find(tx, r.id);
    tx.commit();
    return made;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::canned_responses::row> workspace_service::update_canned(
    const principal& who, std::string id, std::optional<std::string> name, std::optional<std::string> body,
    std::optional<std::optional<std::string>> language) {
  check_may_edit_canned(who);
  if (body) check_canned_body(*body);
  auto job = [&who, id, name, body, language](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto r = visible_canned(tx, who, id);
    if (name) r.name = *name;
    if (body) r.body = *body;
    if (language) r.language = *language;
    store::canned_responses::update(tx, r);
    auto stored = *store::canned_responses::find(tx, id);
    tx.commit();
    return stored;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<void> workspace_service::delete_canned(const principal& who, std::string id) {
  check_may_edit_canned(who);
  auto job = [&who, id](pqxx::connection_base& c) {
    pqxx::work tx(c);
    visible_canned(tx, who, id);
    store::canned_responses::remove(tx, id);
    tx.commit();
  };
  co_await db_.run(std::move(job));
}

awaitable<reply_outcome> workspace_service::reply(const principal& who, std::string ticket_id, reply_draft d) {
  auto job = [this, &who, ticket_id, d](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto t = visible_ticket(tx, who, ticket_id, true);
    reply_outcome out;
    const std::string actor = actor_of(who);
    if (t.status == "closed") {
      // Closed is final: the answer starts a follow-up that links back.
      const std::string id = new_uuid_v7();
      store::replies::open_follow_up(tx, id, t, actor);
      t = *store::tickets::find(tx, id, true);
      out.follow_up = true;
    }
    std::string channel = d.channel.value_or(t.origin_channel);
    if (!d.channel && channel == "phone") channel = "email";  // a caller is answered in writing by mail
    if (channel != "email" && channel != "chat")
      throw error::validation({{"/channel", "replies go by email or chat; a phone answer is a callback"}});
    if (channel == "chat" && !t.chat_session_id)
      throw error::validation({{"/channel", "the ticket has no chat session to answer in"}});
    const auto brand = store::replies::brand(tx, t.brand_id);
    const std::string status_after = d.status_after.value_or(brand.reply_status_after);
    const auto from = parse_ticket_status(t.status), to = parse_ticket_status(status_after);
    if (!to) throw error::validation({{"/status_after", "must be open, pending, on_hold or solved"}});
    if (auto why = status_change_refusal(*from, *to)) throw error(errc::conflict, "The status cannot change: " + *why + ".");

    store::message_row m;
    m.id = new_uuid_v7();
    m.ticket_id = t.id;
    m.brand_id = t.brand_id;
    m.customer_id = t.customer_id;
    m.channel = channel;
    m.direction = "outbound";
    if (!who.agent_id.empty()) m.author_agent_id = who.agent_id;
    m.body_text = d.canned_response_id ? render_canned(tx, who, t, *d.canned_response_id) : d.body_text;
    m.body_html = d.body_html;
    m.occurred_at = now_utc();
    if (channel == "email") {
      address_email(tx, t, d, opts_.message_id_domain, m);
    } else {
      m.sender = who.name.empty() ? "agent" : who.name;
      m.chat_session_id = t.chat_session_id;
    }
    json events = json::array();
    events.push_back({"message_added", {{"message_id", m.id}, {"channel", channel}, {"direction", "outbound"}}});
    if (status_after != t.status)
      events.push_back({"status_changed", {{"from", t.status}, {"to", status_after}, {"reason", "agent reply"}}});
    store::replies::record(tx, m, status_after, actor, events.dump());
    std::vector<store::ticket_row> one{*store::tickets::find(tx, t.id)};
    calendars_.attach(tx, one, now_utc());
    out.ticket = std::move(one.front());
    out.message = *store::messages::find(tx, m.id);
    tx.commit();
    return out;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::message_row> workspace_service::note(const principal& who, std::string ticket_id, note_draft d) {
  auto job = [&who, ticket_id, d](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto t = visible_ticket(tx, who, ticket_id, false);
    std::vector<field_error> errors;
    for (std::size_t i = 0; i < d.mention_ids.size(); ++i)
      if (!is_uuid(d.mention_ids[i])) errors.push_back({"/mentions/" + std::to_string(i), "is not an agent id"});
    if (!errors.empty()) throw error::validation(std::move(errors));
    const auto emails = mentioned_addresses(d.body_text);
    auto mentions = store::notes::mentionable(tx, t.brand_id, d.mention_ids, emails);
    for (std::size_t i = 0; i < d.mention_ids.size(); ++i)
      if (std::find(mentions.begin(), mentions.end(), d.mention_ids[i]) == mentions.end())
        errors.push_back({"/mentions/" + std::to_string(i), "is not an active agent of the ticket's brand"});
    if (!errors.empty()) throw error::validation(std::move(errors));
    store::message_row m;
    m.id = new_uuid_v7();
    m.ticket_id = t.id;
    m.brand_id = t.brand_id;
    m.customer_id = t.customer_id;
    m.channel = "note";
    m.direction = "internal";
    if (!who.agent_id.empty()) m.author_agent_id = who.agent_id;
    m.sender = who.name;
    m.body_text = d.body_text;
    m.occurred_at = now_utc();
    store::notes::record(tx, m, mentions, actor_of(who));
    auto stored = *store::messages::find(tx, m.id);
    tx.commit();
    return stored;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::message_row> workspace_service::report_delivery(const principal& who, std::string message_id,
                                                                 std::string status, std::string reason, timestamp at) {
  auto job = [&who, message_id, status, reason, at](pqxx::connection_base& c) {
    pqxx::work tx(c);
    auto m = is_uuid(message_id) ? store::delivery::lock_outbound(tx, message_id) : std::nullopt;
    if (!m || !who.can_see_brand(m->brand_id)) throw error::not_found("outbound message");
    // Reports arrive out of order; a late one that would step back is kept out.
    if (delivery_advances(m->status.value_or("queued"), status))
      store::delivery::report(tx, *m, status, reason, at, actor_of(who));
    auto stored = *store::messages::find(tx, message_id);
    tx.commit();
    return stored;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::ticket_viewer>> workspace_service::viewing(const principal& who, std::string ticket_id,
                                                                     bool composing) {
  if (who.agent_id.empty())
    throw error(errc::forbidden, "Only a signed-in agent can be seen viewing a ticket.");
  auto job = [&who, ticket_id, composing](pqxx::connection_base& c) {
    pqxx::work tx(c);
    visible_ticket(tx, who, ticket_id, false);
    store::viewing::heartbeat(tx, ticket_id, who.agent_id, composing);
    auto others = store::viewing::current(tx, ticket_id, who.agent_id, 30);
    tx.commit();
    return others;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<workspace_service::merge_result> workspace_service::merge(const principal& who, std::string source,
                                                                    std::string target) {
  if (!is_uuid(target)) throw error::validation({{"/into", "is not a ticket id"}});
  if (source == target) throw error::validation({{"/into", "is the ticket itself"}});
  auto job = [this, &who, source, target](pqxx::connection_base& c) {
    pqxx::work tx(c);
    // Both rows locked in id order, so two merges of the same pair cannot deadlock.
    const bool source_first = source < target;
    std::optional<store::ticket_row> first = is_uuid(source_first ? source : target)
                                                 ? store::tickets::find(tx, source_first ? source : target, true)
                                                 : std::nullopt;
    std::optional<store::ticket_row> second = store::tickets::find(tx, source_first ? target : source, true);
    auto& s = source_first ? first : second;
    auto& t = source_first ? second : first;
    if (!s || !who.can_see_brand(s->brand_id)) throw error::not_found("ticket");
    if (!t || !who.can_see_brand(t->brand_id)) throw error::validation({{"/into", "is not a ticket you can see"}});
    if (t->brand_id != s->brand_id) throw error::validation({{"/into", "must be a ticket of the same brand"}});
    if (s->merged_into) throw error(errc::conflict, "The ticket was already merged into " + *s->merged_into + ".");
    if (t->merged_into)
      throw error::validation({{"/into", "was itself merged into " + *t->merged_into + "; merge into that ticket"}});
    if (t->status == "closed") throw error(errc::conflict, "The target ticket is closed; closed tickets are final.");
    const auto moved = store::merging::merge(tx, *s, *t, actor_of(who));
    std::vector<store::ticket_row> one{*store::tickets::find(tx, t->id)};
    calendars_.attach(tx, one, now_utc());
    tx.commit();
    return merge_result{std::move(one.front()), moved.messages};
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::search::hit>> workspace_service::search(const principal& who, std::string text,
                                                                   std::optional<std::string> brand_id,
                                                                   std::size_t offset, std::size_t limit) {
  if (brand_id && !who.can_see_brand(*brand_id)) throw error::validation({{"/query/brand_id", "is not one of your brands"}});
  auto job = [this, scope = store::brand_scope::of(who), text, brand_id, offset, limit](pqxx::connection_base& c) {
    // One snapshot for the search's statements (a read of each source, then
    // the ranking): a merge between them must not count a message twice.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    store::search::query q;
    q.text = text;
    q.brand_id = brand_id;
    q.offset = offset;
    q.limit = limit;
    std::string lower;
    for (char ch : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    q.identities.push_back(lower);
    if (auto e = normalize_email(text)) q.identities.push_back(*e);
    // "777 123 456" is +420777123456 for a brand that dials from CZ.
    for (const auto& region : store::brands::phone_regions(tx, scope))
      if (auto e164 = phone_query(text, region)) q.identities.push_back(*e164);
    auto hits = store::search::tickets(tx, scope, q);
    std::vector<store::ticket_row> rows;
    for (auto& h : hits) rows.push_back(h.ticket);
    calendars_.attach(tx, rows, now_utc());
    for (std::size_t i = 0; i < hits.size(); ++i) hits[i].ticket = std::move(rows[i]);
    return hits;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<std::vector<store::ticket_row>> workspace_service::view(const principal& who, store::views::view_query q) {
  q.agent_id = who.agent_id;
  auto job = [this, scope = store::brand_scope::of(who), q](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    auto query = q;
    if (query.which == store::views::view::unassigned) query.rules = store::views::rules_for(tx, query.agent_id);
    auto rows = store::views::list(tx, scope, query);
    calendars_.attach(tx, rows, now_utc());
    return rows;
  };
  co_return co_await db_.run(std::move(job));
}

awaitable<store::views::counts> workspace_service::view_counts(const principal& who, long long breaching_within_s) {
  auto job = [scope = store::brand_scope::of(who), agent = who.agent_id, breaching_within_s](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return store::views::count(tx, scope, agent, breaching_within_s, store::views::rules_for(tx, agent));
  };
  co_return co_await db_.run(std::move(job));
}

}  // namespace helpdesk::app
