#include "notification_store.h"

#include <algorithm>
#include <set>

#include "qrfleet/sql_array.h"
#include "qrfleet/utf8.h"

namespace qrfleet::notify {

namespace {
void addOptional(SqlArray& a, const std::optional<std::string>& v) {
  if (v) a.add(*v);
  else a.addNull();
}
void addNonEmpty(SqlArray& a, const std::string& v) {
  if (v.empty()) a.addNull();
  else a.add(v);
}
void addOptional(SqlArray& a, const std::optional<std::int64_t>& v) {
  if (v) a.add(*v);
  else a.addNull();
}
std::vector<std::string> textArray(const pqxx::field& f) {
  std::vector<std::string> out;
  auto parser = f.as_array();
  for (auto [kind, value] = parser.get_next(); kind != pqxx::array_parser::done; std::tie(kind, value) = parser.get_next())
    if (kind == pqxx::array_parser::string_value) out.push_back(value);
  return out;
}
SqlArray arrayOf(const std::vector<std::string>& values) {
  SqlArray a;
  for (const auto& v : values) a.add(v);
  return a;
}
// A batch names the same recipient or template many times (a fan-out): ask once.
SqlArray distinctOf(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return arrayOf(values);
}
}  // namespace

std::map<std::string, Contact> NotificationStore::contacts(pqxx::work& sql, const std::vector<std::string>& ids) {
  std::map<std::string, Contact> out;
  if (ids.empty()) return out;
  for (const auto& row : sql.exec_params(
           "SELECT recipient_id, email, phone, device_tokens, locale, time_zone, to_char(quiet_start, 'HH24:MI'),"
           " to_char(quiet_end, 'HH24:MI'), updated_ms FROM notify.contacts WHERE recipient_id = ANY($1::text[])",
           distinctOf(ids).str())) {
    Contact c;
    if (!row[1].is_null()) c.address.email = row[1].as<std::string>();
    if (!row[2].is_null()) c.address.phone = row[2].as<std::string>();
    c.address.deviceTokens = textArray(row[3]);
    if (!row[4].is_null()) c.locale = row[4].as<std::string>();
    if (!row[5].is_null() && !row[6].is_null() && !row[7].is_null())
      c.quiet = QuietHours::parse(row[5].as<std::string>(), row[6].as<std::string>(), row[7].as<std::string>());
    c.updatedMs = row[8].as<std::int64_t>();
    out[row[0].as<std::string>()] = std::move(c);
  }
  return out;
}

std::map<std::string, NotificationState> NotificationStore::states(pqxx::work& sql, const std::vector<std::string>& ids) {
  std::map<std::string, NotificationState> out;
  if (ids.empty()) return out;
  for (const auto& row : sql.exec_params(
           "SELECT n.notification_id, n.status, s.release_event_id, n.event_id FROM notify.notifications n"
           " LEFT JOIN notify.scheduled s ON s.notification_id = n.notification_id AND NOT s.released"
           " WHERE n.notification_id = ANY($1::text[])",
           arrayOf(ids).str()))
    out[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].is_null() ? "" : row[2].as<std::string>(),
                                     row[3].as<std::string>()};
  return out;
}

std::string NotificationStore::templateKey(const std::string& name, const std::string& channel,
                                           const std::string& locale) {
  return name + '\n' + channel + '\n' + locale;
}

std::map<std::string, MessageTemplate> NotificationStore::templates(pqxx::work& sql,
                                                                     const std::vector<std::string>& names) {
  std::map<std::string, MessageTemplate> out;
  if (names.empty()) return out;
  for (const auto& row : sql.exec_params(
           "SELECT DISTINCT ON (name, channel, locale) name, channel, locale, version, coalesce(subject, ''),"
           " coalesce(html, ''), body FROM notify.templates WHERE name = ANY($1::text[])"
           " ORDER BY name, channel, locale, version DESC",
           distinctOf(names).str())) {
    MessageTemplate t{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      row[3].as<int>(),         row[4].as<std::string>(), row[5].as<std::string>(),
                      row[6].as<std::string>()};
    out[templateKey(t.name, t.channel, t.locale)] = std::move(t);
  }
  return out;
}

void NotificationStore::flush(pqxx::work& sql) {
  if (!contacts_.empty()) {
    // The newest update of a recipient in the batch, if newer than the stored one.
    std::map<std::string, std::size_t> last;
    for (std::size_t i = 0; i < contacts_.size(); ++i) {
      auto [it, fresh] = last.emplace(contacts_[i].contact.recipientId, i);
      if (!fresh && contacts_[it->second].atMs <= contacts_[i].atMs) it->second = i;
    }
    SqlArray id, email, phone, tokens, locale, zone, qs, qe, by, at;
    for (const auto& [recipient, i] : last) {
      const auto& [c, eventId, atMs] = contacts_[i];
      id.add(c.recipientId);
      addOptional(email, c.address.email);
      addOptional(phone, c.address.phone);
      tokens.add(arrayOf(c.address.deviceTokens).str());
      addOptional(locale, c.locale);
      addOptional(zone, c.timeZone);
      addOptional(qs, c.quietStart);
      addOptional(qe, c.quietEnd);
      by.add(eventId);
      at.add(atMs);
    }
    sql.exec_params(
        "INSERT INTO notify.contacts (recipient_id, email, phone, device_tokens, locale, time_zone, quiet_start,"
        " quiet_end, updated_by, updated_ms) SELECT i, e, p, d::text[], l, z, s, n, b, m FROM unnest($1::text[],"
        " $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::time[], $8::time[], $9::text[],"
        " $10::bigint[]) AS t(i, e, p, d, l, z, s, n, b, m)"
        " ON CONFLICT (recipient_id) DO UPDATE SET email = EXCLUDED.email, phone = EXCLUDED.phone,"
        " device_tokens = EXCLUDED.device_tokens, locale = EXCLUDED.locale, time_zone = EXCLUDED.time_zone,"
        " quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, updated_by = EXCLUDED.updated_by,"
        " updated_ms = EXCLUDED.updated_ms WHERE notify.contacts.updated_ms <= EXCLUDED.updated_ms",
        id.str(), email.str(), phone.str(), tokens.str(), locale.str(), zone.str(), qs.str(), qe.str(), by.str(),
        at.str());
    contacts_.clear();
  }
  if (!scheduled_.empty()) {
    SqlArray id, topic, key, env, release, due;
    for (const auto& s : scheduled_) {
      id.add(s.notificationId);
      topic.add(s.topic);
      key.add(s.key);
      env.add(s.envelope);
      release.add(s.releaseEventId);
      due.add(s.dueAtMs);
    }
    sql.exec_params(
        "INSERT INTO notify.scheduled (notification_id, topic, message_key, envelope, release_event_id, due_at)"
        " SELECT i, t, k, e, r, to_timestamp(d / 1000.0) FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
        " $5::text[], $6::bigint[]) AS u(i, t, k, e, r, d) ON CONFLICT (notification_id) DO UPDATE SET"
        " envelope = EXCLUDED.envelope, release_event_id = EXCLUDED.release_event_id, topic = EXCLUDED.topic,"
        " due_at = EXCLUDED.due_at, released = false, emitted_at = NULL",
        id.str(), topic.str(), key.str(), env.str(), release.str(), due.str());
    scheduled_.clear();
  }
  if (!released_.empty()) {
    sql.exec_params("UPDATE notify.scheduled SET released = true WHERE notification_id = ANY($1::text[])",
                    arrayOf(released_).str());
    released_.clear();
  }
  if (!rows_.empty()) {
    std::map<std::string, std::size_t> last;
    for (std::size_t i = 0; i < rows_.size(); ++i) last[rows_[i].notificationId] = i;
    SqlArray id, ev, rc, ch, pr, tn, tv, st, pv, pm, er, at, rq, du, ex, im;
    for (const auto& [notification, i] : last) {
      const auto& r = rows_[i];
      id.add(r.notificationId);
      ev.add(r.eventId);
      rc.add(r.recipientId);
      ch.add(r.channel);
      pr.add(r.priority);
      addNonEmpty(tn, r.templateName);
      if (r.templateVersion) tv.add(std::int64_t(*r.templateVersion));
      else tv.addNull();
      st.add(r.status);
      addNonEmpty(pv, r.provider);
      addNonEmpty(pm, r.providerMessageId);
      addNonEmpty(er, utf8Prefix(r.error, 2000));
      at.add(std::int64_t(r.attempts));
      rq.add(r.requestedAtMs);
      addOptional(du, r.dueAtMs);
      addOptional(ex, r.expiresAtMs);
      addNonEmpty(im, r.inboxMessage);
    }
    sql.exec_params(
        "INSERT INTO notify.notifications (notification_id, event_id, recipient_id, channel, priority, template,"
        " template_version, status, provider, provider_message_id, error, attempts, requested_at, due_at, expires_at,"
        " inbox_message) SELECT i, e, r, c, p, t, v, s, pv, pm, er, a, to_timestamp(rq / 1000.0),"
        " to_timestamp(du / 1000.0), to_timestamp(ex / 1000.0), im FROM unnest($1::text[], $2::text[], $3::text[],"
        " $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[],"
        " $13::bigint[], $14::bigint[], $15::bigint[], $16::text[]) AS u(i, e, r, c, p, t, v, s, pv, pm, er, a, rq, du, ex, im)"
        " ON CONFLICT (notification_id) DO UPDATE SET status = EXCLUDED.status, provider = EXCLUDED.provider,"
        " provider_message_id = EXCLUDED.provider_message_id, error = EXCLUDED.error, attempts = EXCLUDED.attempts,"
        " template_version = coalesce(EXCLUDED.template_version, notify.notifications.template_version),"
        " due_at = EXCLUDED.due_at, inbox_message = EXCLUDED.inbox_message, updated_at = clock_timestamp()",
        id.str(), ev.str(), rc.str(), ch.str(), pr.str(), tn.str(), tv.str(), st.str(), pv.str(), pm.str(), er.str(),
        at.str(), rq.str(), du.str(), ex.str(), im.str());
    rows_.clear();
  }
  if (!attempts_.empty()) {
    SqlArray id, ev, at, ch, pv, st, pm, er;
    for (const auto& a : attempts_) {
      id.add(a.notificationId);
      ev.add(a.eventId);
      at.add(std::int64_t(a.attempt));
      ch.add(a.channel);
      addNonEmpty(pv, a.provider);
      st.add(a.status);
      addNonEmpty(pm, a.providerMessageId);
      addNonEmpty(er, utf8Prefix(a.error, 2000));
    }
    sql.exec_params(
        "INSERT INTO notify.deliveries (notification_id, event_id, attempt, channel, provider, status,"
        " provider_message_id, error) SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[],"
        " $6::text[], $7::text[], $8::text[]) ON CONFLICT (notification_id, event_id, attempt) DO NOTHING",
        id.str(), ev.str(), at.str(), ch.str(), pv.str(), st.str(), pm.str(), er.str());
    attempts_.clear();
  }
}

}  // namespace qrfleet::notify
