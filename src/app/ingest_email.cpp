// An inbound email: brand from the recipients, customer from the sender,
// ticket from the thread (references, then the subject token).
#include <pqxx/pqxx>

#include <algorithm>
#include <strings.h>

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/domain/identity.hpp"
#include "helpdesk/security/tokens.hpp"
#include "ingest_common.hpp"

namespace helpdesk::app {
namespace {

using ingest::json;

std::vector<std::string> recipient_addresses(const inbound_email& m) {
  std::vector<std::string> out;
  for (const auto* list : {&m.to, &m.cc})
    for (const auto& raw : *list)
      if (auto a = normalize_email(raw)) out.push_back(*a);
  return out;
}

json email_json(const inbound_email& m) {
  json headers = json::array();
  for (const auto& [name, value] : m.headers) headers.push_back({{"name", name}, {"value", value}});
  json out = {{"from", m.from},       {"to", m.to},
              {"cc", m.cc},           {"reply_to", m.reply_to},
              {"message_id", m.message_id}, {"in_reply_to", m.in_reply_to},
              {"references", m.references}, {"headers", headers}};
  if (m.date) out["date"] = format_rfc3339(*m.date);
  return out;
}

// A merged ticket is closed, and what is said about it belongs to the
// ticket it went into (which may itself have been merged since).
std::optional<thread_candidate> survivor(ingest::port& p, const brand& b, std::optional<thread_candidate> c) {
  for (int hops = 0; c && c->merged_into && hops < 16; ++hops) {
    auto next = p.ticket_by_id(b.id, *c->merged_into);
    if (!next) break;
    c = std::move(next);
  }
  return c;
}

std::optional<thread_candidate> find_by_references(ingest::port& p, const brand& b,
                                                   const std::vector<std::string>& refs, const std::string& domain) {
  for (const auto& ref : refs)
    if (auto ticket = ticket_of_outbound_message_id(ref, domain))
      if (auto c = p.ticket_by_id(b.id, *ticket)) return survivor(p, b, std::move(c));
  return survivor(p, b, p.ticket_by_message_ids(b.id, refs));
}

// The mail with its attachments hashed and ready to store.
struct email_event {
  inbound_email mail;
  std::vector<store::attachment_row> files;
};

ingest_result decide_email(ingest::port& p, brand_cache& brands, const principal& who, const ingest_meta& meta,
                           const email_event& e, const ingest_options& opts) {
  const inbound_email& m = e.mail;
  const auto& files = e.files;
  const brand b = ingest::resolve_brand(p.tx(), brands, who, meta.brand, recipient_addresses(m));
  const std::string scope = "email:" + b.id;
  const std::string key = m.message_id.empty() ? "sha256:" + meta.request_sha256 : m.message_id;
  if (auto replay = ingest::claim_keys(p, who, meta, scope, key, opts.idempotency_ttl_seconds)) return *replay;
  ingest::event_log events;

  const std::string from = normalize_email(m.from).value_or("");
  const auto verdict = classify_automatic(m.headers, from, m.delivery_status_report);
  const timestamp now = now_utc();

  std::vector<identity> ids{{identity_kind::email, from}};
  for (const auto& raw : m.external_ids)
    if (auto x = normalize_external_id(raw)) ids.push_back(*x);

  auto refs = reference_ids(m.in_reply_to, m.references);
  if (verdict.bounce && !m.bounced_message_id.empty()) refs.insert(refs.begin(), m.bounced_message_id);
  thread_input in;
  in.by_reference = find_by_references(p, b, refs, opts.message_id_domain);
  if (auto n = find_ticket_token(m.subject, b.ticket_prefix)) in.by_token = survivor(p, b, p.ticket_by_number(b.id, *n));
  const auto sender = ingest::identify(p, b.id, ids);
  in.sender_customer_id = sender.customer_id;
  in.subject = m.subject;
  in.automatic = verdict.automatic;
  in.now = now;
  const auto decision = decide_thread(in, {opts.reopen_window_days});
  const thread_candidate* target = nullptr;
  if (decision.action != thread_action::new_ticket)
    target = in.by_reference && in.by_reference->ticket_id == decision.ticket_id ? &*in.by_reference : &*in.by_token;

  // A bounce belongs to the customer of the bounced message, not to a
  // customer called mailer-daemon.
  std::string customer_id;
  if (verdict.bounce && target)
    customer_id = target->customer_id;
  else
    customer_id = ingest::settle_customer(p, b.id, sender, display_name(m.from), now);

  ingest_result r;
  r.customer_id = customer_id;
  if (decision.action == thread_action::append) {
    r.ticket_id = target->ticket_id;
    r.ticket_number = ingest::number_of(b, target->number);
    const ticket_status next = verdict.automatic ? target->status : status_after_inbound(target->status);
    store::tickets::inbound_update u{target->ticket_id, std::string(to_string(target->status)),
                                     std::string(to_string(next)), now, !verdict.automatic, std::nullopt};
    if (!p.record_inbound(u)) store::retry_transaction("the ticket changed status meanwhile");
    if (next != target->status)
      events.add("status_changed",
                        {{"from", to_string(target->status)}, {"to", to_string(next)}, {"reason", "customer wrote"}});
  } else {
    store::tickets::new_ticket t;
    t.id = new_uuid_v7();
    t.brand_id = b.id;
    t.customer_id = customer_id;
    t.subject = m.subject;
    t.origin_channel = "email";
    ingest::set_routing_facts(t, p, b, m.language, m.text.empty() ? m.html : m.text, m.tags, m.source, m.external_ids);
    t.at = now;
    t.customer_waiting = !verdict.automatic;
    if (decision.action == thread_action::new_linked_ticket) t.linked_ticket_id = decision.ticket_id;
    const auto queued = ingest::place_in_queue(p, t);
    auto number = p.insert_ticket(t);
    if (!number) store::retry_transaction("ticket insert collided");
    r.ticket_id = t.id;
    r.ticket_number = ingest::number_of(b, *number);
    json data = {{"channel", "email"}, {"tags", t.tags}};
    if (t.linked_ticket_id) data["linked_ticket_id"] = *t.linked_ticket_id;
    events.add("created", data);
    if (queued) events.add("queued", *queued, "router");
  }

  if (p.guessing()) return r;  // thrown away: skip building what it would write
  auto msg = ingest::new_message(r, b.id, "email", "inbound");
  msg.automatic = verdict.automatic;
  msg.automatic_reason = verdict.reason;
  msg.sender = m.from;
  msg.subject = m.subject;
  msg.body_text = m.text;
  msg.body_html = m.html;
  msg.email_json = email_json(m).dump();
  if (!m.message_id.empty()) msg.email_message_id = m.message_id;
  msg.occurred_at = now;
  for (auto a : files) {
    a.id = new_uuid_v7();
    a.message_id = msg.id;
    a.brand_id = b.id;
    msg.attachments.push_back(std::move(a));
  }
  r.message_id = msg.id;
  p.insert_message(std::move(msg));
  events.add("message_added",
                    {{"message_id", r.message_id}, {"channel", "email"}, {"automatic", verdict.automatic},
                     {"matched_by", decision.matched_by}});
  ingest::finish(p, who, meta, scope, key, r, b.id, events);
  return r;
}

std::vector<store::attachment_row> hash_attachments(std::vector<mail::attachment>& files) {
  std::vector<store::attachment_row> out;
  for (auto& f : files) {
    store::attachment_row a;
    a.filename = std::move(f.filename);
    a.content_type = std::move(f.content_type);
    a.content_id = std::move(f.content_id);
    a.is_inline = f.is_inline;
    a.size = static_cast<long long>(f.data.size());
    a.sha256 = security::sha256_hex(f.data);
    a.content = std::move(f.data);
    out.push_back(std::move(a));
  }
  files.clear();
  return out;
}

void require_sender(const inbound_email& m) {
  auto from = normalize_email(m.from);
  if (!from)
    throw error::validation({{"/from", m.from.empty() ? "is required: the message has no From address"
                                                      : "is not an email address"}});
  if (from->size() > 320) throw error::validation({{"/from", "is longer than 320 characters"}});
}

}  // namespace

inbound_email to_inbound_email(mail::parsed_email p) {
  inbound_email m;
  m.from = std::move(p.from);
  m.to = std::move(p.to);
  m.cc = std::move(p.cc);
  m.reply_to = std::move(p.reply_to);
  m.subject = std::move(p.subject);
  m.text = std::move(p.text);
  m.html = std::move(p.html);
  // RFC 5322 caps a line at 998 characters; a longer id is not one, and it
  // would not fit the index that deduplicates by it.
  if (p.message_id.size() <= 998) m.message_id = std::move(p.message_id);
  m.in_reply_to = std::move(p.in_reply_to);
  m.references = split_message_ids(p.references);
  m.date = p.date;
  m.headers = std::move(p.headers);
  if (p.has_return_path) {
    // classify_automatic reads Return-Path from the headers; make sure the
    // parsed value is what it sees.
    std::erase_if(m.headers, [](const auto& h) { return h.first.size() == 11 && strcasecmp(h.first.c_str(), "return-path") == 0; });
    m.headers.emplace_back("Return-Path", "<" + p.return_path + ">");
  }
  m.delivery_status_report = p.delivery_status_report;
  m.bounced_message_id = std::move(p.bounced_message_id);
  m.attachments = std::move(p.attachments);
  return m;
}

awaitable<ingest_result> ingest_service::email(const principal& who, ingest_meta meta, inbound_email m) {
  require_sender(m);
  std::size_t bytes = 0;
  for (const auto& a : m.attachments) bytes += a.data.size();
  std::vector<store::attachment_row> files;
  if (bytes < (256u << 10)) {
    files = hash_attachments(m.attachments);
  } else {
    auto hashing = [&m] { return hash_attachments(m.attachments); };
    files = co_await cpu_.run(std::move(hashing));
  }
  ingest::event_job<email_event> job(decide_email, brands_, who, std::move(meta),
                                     email_event{std::move(m), std::move(files)}, opts_);
  const inbound_email& mail = job.event().mail;
  job.conflicts_with("email:" + normalize_email(mail.from).value_or(""));
  job.conflicts_with("key:" + (mail.message_id.empty() ? job.meta().request_sha256 : mail.message_id));
  for (const auto& x : mail.external_ids) job.conflicts_with("external:" + x);
  // A reply waits for the batch after the message it answers.
  if (!mail.message_id.empty()) job.conflicts_with("message:" + mail.message_id);
  for (const auto& ref : reference_ids(mail.in_reply_to, mail.references)) job.conflicts_with("message:" + ref);
  if (!mail.bounced_message_id.empty()) job.conflicts_with("message:" + mail.bounced_message_id);
  co_return co_await committer_.run(std::move(job));
}

awaitable<ingest_result> ingest_service::raw_email(const principal& who, ingest_meta meta, std::string raw) {
  auto parse = [raw = std::move(raw), limits = opts_.mime] { return to_inbound_email(mail::parse_mime(raw, limits)); };
  auto m = co_await cpu_.run(std::move(parse));
  co_return co_await email(who, std::move(meta), std::move(m));
}

}  // namespace helpdesk::app
