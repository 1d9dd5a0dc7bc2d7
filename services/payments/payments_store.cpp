#include "payments_store.h"

#include <nlohmann/json.hpp>

#include "qrfleet/sql_array.h"
#include "qrfleet/utf8.h"

namespace qrfleet::payments {

namespace {

// Milliseconds since the epoch of a timestamptz column, exactly (numeric extract).
std::string millisOf(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000)::bigint";
}

void addOptional(SqlArray& a, const std::optional<std::string>& v) {
  if (v) a.add(*v);
  else a.addNull();
}
void addOptional(SqlArray& a, const std::optional<std::int64_t>& v) {
  if (v) a.add(*v);
  else a.addNull();
}
void addNonEmpty(SqlArray& a, const std::string& v) {
  if (v.empty()) a.addNull();
  else a.add(v);
}
std::optional<std::string> optionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

// Two columns of (provider, id) pairs.
struct KeyArrays {
  SqlArray providers, ids;
  explicit KeyArrays(const std::set<ProviderKey>& keys) {
    for (const auto& k : keys) {
      providers.add(k.provider);
      ids.add(k.id);
    }
  }
};

nlohmann::json versionJson(const SubscriptionVersion& v) { return nlohmann::json::array({v.atMs, v.rank, v.eventId}); }
std::optional<SubscriptionVersion> versionFrom(const nlohmann::json& j) {
  if (!j.is_array() || j.size() != 3 || !j[0].is_number_integer() || !j[1].is_number_integer() || !j[2].is_string())
    return std::nullopt;
  return SubscriptionVersion{j[0].get<std::int64_t>(), j[1].get<int>(), j[2].get<std::string>()};
}

template <class T>
void putVersion(nlohmann::json& out, const char* name, const Versioned<T>& field) {
  if (field.version) out[name] = versionJson(*field.version);
}
template <class T>
void getVersion(const nlohmann::json& in, const char* name, Versioned<T>& field) {
  if (field.value && in.contains(name)) field.version = versionFrom(in[name]);
}

}  // namespace

std::set<ProviderKey> PaymentsStore::claim(pqxx::work& sql, const std::vector<WebhookClaim>& claims) {
  std::set<ProviderKey> fresh;
  if (claims.empty()) return fresh;
  SqlArray pr, ev, ty, cu, ob, at, id;
  for (const auto& c : claims) {
    pr.add(c.event.provider);
    ev.add(c.event.id);
    ty.add(c.eventType);
    cu.add(c.customerId);
    ob.add(c.objectId);
    at.add(c.occurredAtMs);
    id.add(c.envelopeId);
  }
  for (const auto& r : sql.exec_params(
           "INSERT INTO payments.webhook_events (provider, provider_event_id, event_type, customer_id,"
           " provider_object_id, occurred_at, event_id, outcome)"
           " SELECT p, e, t, c, o, to_timestamp(a / 1000.0), i::uuid, 'pending' FROM unnest($1::text[], $2::text[],"
           " $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[]) AS u(p, e, t, c, o, a, i)"
           " ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING provider, provider_event_id",
           pr.str(), ev.str(), ty.str(), cu.str(), ob.str(), at.str(), id.str()))
    fresh.insert({r[0].as<std::string>(), r[1].as<std::string>()});
  return fresh;
}

void PaymentsStore::lockEntities(pqxx::work& sql, const std::set<ProviderKey>& payments,
                                 const std::set<ProviderKey>& subscriptions, const std::set<ProviderKey>& dunnings) {
  std::set<std::string> names;
  for (const auto& k : payments) names.insert("payment\n" + k.provider + "\n" + k.id);
  for (const auto& k : subscriptions) names.insert("subscription\n" + k.provider + "\n" + k.id);
  for (const auto& k : dunnings) names.insert("dunning\n" + k.provider + "\n" + k.id);
  if (names.empty()) return;
  SqlArray all;
  for (const auto& n : names) all.add(n);
  // In the names' order (ORDINALITY), the same in every batch: no deadlock
  // unless two names share a 64-bit hash, and then Postgres breaks it (the batch retries).
  sql.exec_params("SELECT pg_advisory_xact_lock(hashtextextended(n, 7919)) FROM unnest($1::text[]) WITH ORDINALITY"
                  " AS u(n, i) ORDER BY i",
                  all.str());
}

std::set<ProviderKey> PaymentsStore::bookedObjects(pqxx::work& sql, const std::set<ProviderKey>& objects) {
  std::set<ProviderKey> out;
  if (objects.empty()) return out;
  KeyArrays k(objects);
  for (const auto& r : sql.exec_params(
           "SELECT provider, provider_object_id FROM payments.ledger_transactions WHERE kind IN ('refund', 'dispute')"
           " AND (provider, provider_object_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
           k.providers.str(), k.ids.str()))
    out.insert({r[0].as<std::string>(), r[1].as<std::string>()});
  return out;
}

std::map<ProviderKey, PaymentRow> PaymentsStore::payments(pqxx::work& sql, const std::set<ProviderKey>& keys) {
  std::map<ProviderKey, PaymentRow> out;
  if (keys.empty()) return out;
  KeyArrays k(keys);
  for (const auto& r : sql.exec_params(
           "SELECT provider, provider_payment_id, customer_id, amount, currency, state, refunded_amount,"
           " disputed_amount, fingerprint, invoice_id, subscription_id, " + millisOf("last_event_at") +
               " FROM payments.payments WHERE (provider, provider_payment_id) IN"
               " (SELECT * FROM unnest($1::text[], $2::text[]))",
           k.providers.str(), k.ids.str())) {
    PaymentRow row;
    row.customerId = r[2].as<std::string>();
    row.payment.amount = r[3].as<std::int64_t>();
    row.payment.currency = r[4].as<std::string>();
    row.payment.state = parseState(r[5].as<std::string>()).value_or(PaymentState::pending);
    row.payment.refunded = r[6].as<std::int64_t>();
    row.payment.disputed = r[7].as<std::int64_t>();
    row.fingerprint = optionalText(r[8]);
    row.invoiceId = optionalText(r[9]);
    row.subscriptionId = optionalText(r[10]);
    row.lastEventAtMs = r[11].as<std::int64_t>();
    out[{r[0].as<std::string>(), r[1].as<std::string>()}] = std::move(row);
  }
  return out;
}

std::map<ProviderKey, Subscription> PaymentsStore::subscriptions(pqxx::work& sql, const std::set<ProviderKey>& keys) {
  std::map<ProviderKey, Subscription> out;
  if (keys.empty()) return out;
  KeyArrays k(keys);
  for (const auto& r : sql.exec_params(
           "SELECT provider, provider_subscription_id, customer_id, plan, status, " + millisOf("current_period_start") +
               ", " + millisOf("current_period_end") + ", cancel_at_period_end, amount, currency, " +
               millisOf("version_at") +
               ", version_rank, version_event_id, field_versions::text, dunning_state"
               " FROM payments.subscriptions WHERE (provider, provider_subscription_id) IN"
               " (SELECT * FROM unnest($1::text[], $2::text[]))",
           k.providers.str(), k.ids.str())) {
    Subscription s;
    s.customerId = r[2].as<std::string>();
    s.plan.value = optionalText(r[3]);
    s.status.value = optionalText(r[4]);
    if (!r[5].is_null()) s.periodStartMs.value = r[5].as<std::int64_t>();
    if (!r[6].is_null()) s.periodEndMs.value = r[6].as<std::int64_t>();
    if (!r[7].is_null()) s.cancelAtPeriodEnd.value = r[7].as<bool>();
    if (!r[8].is_null() && !r[9].is_null()) s.price.value = Price{r[8].as<std::int64_t>(), r[9].as<std::string>()};
    if (s.status.value && !r[10].is_null())
      s.status.version = SubscriptionVersion{r[10].as<std::int64_t>(), r[11].as<int>(), r[12].as<std::string>()};
    auto versions = nlohmann::json::parse(r[13].as<std::string>(), nullptr, false);
    getVersion(versions, "plan", s.plan);
    getVersion(versions, "currentPeriodStart", s.periodStartMs);
    getVersion(versions, "currentPeriodEnd", s.periodEndMs);
    getVersion(versions, "cancelAtPeriodEnd", s.cancelAtPeriodEnd);
    getVersion(versions, "price", s.price);
    s.dunningState = r[14].is_null() ? "" : r[14].as<std::string>();
    out[{r[0].as<std::string>(), r[1].as<std::string>()}] = std::move(s);
  }
  return out;
}

std::map<ProviderKey, DunningRow> PaymentsStore::dunnings(pqxx::work& sql, const std::set<ProviderKey>& keys) {
  std::map<ProviderKey, DunningRow> out;
  if (keys.empty()) return out;
  KeyArrays k(keys);
  for (const auto& r : sql.exec_params(
           "SELECT provider, invoice_id, subscription_id, customer_id, currency, amount, step, " + millisOf("next_at") +
               ", state, started_by, coalesce(detail, '') FROM payments.dunning WHERE (provider, invoice_id) IN"
               " (SELECT * FROM unnest($1::text[], $2::text[]))",
           k.providers.str(), k.ids.str())) {
    DunningRow d;
    d.subscriptionId = r[2].as<std::string>();
    d.customerId = r[3].as<std::string>();
    d.currency = r[4].as<std::string>();
    d.amount = r[5].as<std::int64_t>();
    d.step = r[6].as<int>();
    if (!r[7].is_null()) d.nextAtMs = r[7].as<std::int64_t>();
    d.state = r[8].as<std::string>();
    d.startedBy = r[9].as<std::string>();
    d.detail = r[10].as<std::string>();
    out[{r[0].as<std::string>(), r[1].as<std::string>()}] = std::move(d);
  }
  return out;
}

std::set<ProviderKey> PaymentsStore::paidInvoices(pqxx::work& sql, const std::set<ProviderKey>& keys) {
  std::set<ProviderKey> out;
  if (keys.empty()) return out;
  KeyArrays k(keys);
  for (const auto& r : sql.exec_params(
           "SELECT DISTINCT provider, provider_object_id FROM payments.webhook_events"
           " WHERE event_type = 'invoice.paid' AND outcome = 'applied' AND (provider, provider_object_id) IN"
           " (SELECT * FROM unnest($1::text[], $2::text[]))",
           k.providers.str(), k.ids.str()))
    out.insert({r[0].as<std::string>(), r[1].as<std::string>()});
  return out;
}

std::map<VelocityKey, std::int64_t> PaymentsStore::countFailures(pqxx::work& sql,
                                                                 const std::map<VelocityKey, std::int64_t>& increments) {
  std::map<VelocityKey, std::int64_t> before;
  if (increments.empty()) return before;
  SqlArray rule, subject, start, by;
  for (const auto& [k, n] : increments) {  // std::map: key order, the lock order
    rule.add(k.rule);
    subject.add(k.subject);
    start.add(k.windowStartMs);
    by.add(n);
  }
  for (const auto& r : sql.exec_params(
           "INSERT INTO payments.fraud_counts AS f (rule, subject, window_start, count)"
           " SELECT r, s, to_timestamp(w / 1000.0), n FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[])"
           " WITH ORDINALITY AS u(r, s, w, n, o) ORDER BY o"
           " ON CONFLICT (rule, subject, window_start) DO UPDATE SET count = f.count + EXCLUDED.count"
           " RETURNING rule, subject, " + millisOf("window_start") + ", count",
           rule.str(), subject.str(), start.str(), by.str())) {
    VelocityKey k{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()};
    auto it = increments.find(k);
    before[k] = r[3].as<std::int64_t>() - (it == increments.end() ? 0 : it->second);
  }
  return before;
}

std::vector<FraudFlagRow> PaymentsStore::recordFlags(pqxx::work& sql, const std::vector<FraudFlagRow>& flags) {
  std::vector<FraudFlagRow> fresh;
  if (flags.empty()) return fresh;
  SqlArray cu, ru, ws, co, fa, pr, ev;
  for (const auto& f : flags) {
    cu.add(f.flag.customerId);
    ru.add(f.flag.rule);
    ws.add(f.flag.windowStartMs);
    co.add(f.flag.count);
    fa.add(f.flag.flaggedAtMs);
    pr.add(f.event.provider);
    ev.add(f.event.id);
  }
  std::set<std::tuple<std::string, std::string, std::int64_t>> inserted;
  for (const auto& r : sql.exec_params(
           "INSERT INTO payments.fraud_flags (customer_id, rule, window_start, count, flagged_at, provider,"
           " provider_event_id) SELECT c, r, to_timestamp(w / 1000.0), n, to_timestamp(a / 1000.0), p, e"
           " FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::bigint[], $6::text[], $7::text[])"
           " AS u(c, r, w, n, a, p, e) ON CONFLICT (customer_id, rule, window_start) DO NOTHING"
           " RETURNING customer_id, rule, " + millisOf("window_start"),
           cu.str(), ru.str(), ws.str(), co.str(), fa.str(), pr.str(), ev.str()))
    inserted.insert({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
  for (const auto& f : flags)
    if (inserted.count({f.flag.customerId, f.flag.rule, f.flag.windowStartMs})) fresh.push_back(f);
  return fresh;
}

void PaymentsStore::flush(pqxx::work& sql) {
  if (!bodies_.empty()) {
    SqlArray pr, ev, sh, bo, at;
    for (const auto& b : bodies_) {
      pr.add(b.event.provider);
      ev.add(b.event.id);
      sh.add(b.sha256);
      bo.add(b.body);
      at.add(b.receivedAtMs);
    }
    sql.exec_params(
        "INSERT INTO payments.webhook_bodies (provider, provider_event_id, body_sha256, body, received_at)"
        " SELECT p, e, s, b, to_timestamp(a / 1000.0) FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
        " $5::bigint[]) AS u(p, e, s, b, a) ON CONFLICT (provider, provider_event_id) DO NOTHING",
        pr.str(), ev.str(), sh.str(), bo.str(), at.str());
    bodies_.clear();
  }
  if (!payments_.empty()) {
    SqlArray pr, id, cu, am, cc, st, rf, di, fp, in, su, at;
    for (const auto& [k, p] : payments_) {
      pr.add(k.provider);
      id.add(k.id);
      cu.add(p.customerId);
      am.add(p.payment.amount);
      cc.add(p.payment.currency);
      st.add(stateName(p.payment.state));
      rf.add(p.payment.refunded);
      di.add(p.payment.disputed);
      addOptional(fp, p.fingerprint);
      addOptional(in, p.invoiceId);
      addOptional(su, p.subscriptionId);
      at.add(p.lastEventAtMs);
    }
    sql.exec_params(
        "INSERT INTO payments.payments (provider, provider_payment_id, customer_id, amount, currency, state,"
        " refunded_amount, disputed_amount, fingerprint, invoice_id, subscription_id, last_event_at)"
        " SELECT p, i, c, a, cc, s, r, d, f, n, u, to_timestamp(l / 1000.0) FROM unnest($1::text[], $2::text[],"
        " $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[],"
        " $11::text[], $12::bigint[]) AS t(p, i, c, a, cc, s, r, d, f, n, u, l)"
        " ON CONFLICT (provider, provider_payment_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,"
        " amount = EXCLUDED.amount, currency = EXCLUDED.currency, state = EXCLUDED.state,"
        " refunded_amount = EXCLUDED.refunded_amount, disputed_amount = EXCLUDED.disputed_amount,"
        " fingerprint = EXCLUDED.fingerprint, invoice_id = EXCLUDED.invoice_id,"
        " subscription_id = EXCLUDED.subscription_id, last_event_at = EXCLUDED.last_event_at,"
        " updated_at = clock_timestamp()",
        pr.str(), id.str(), cu.str(), am.str(), cc.str(), st.str(), rf.str(), di.str(), fp.str(), in.str(), su.str(),
        at.str());
    payments_.clear();
  }
  if (!transitions_.empty()) {
    SqlArray pr, ev, pa, ty, fr, to, ap, am, cc, re, at;
    for (const auto& t : transitions_) {
      pr.add(t.event.provider);
      ev.add(t.event.id);
      pa.add(t.paymentId);
      ty.add(t.eventType);
      addOptional(fr, t.from);
      to.add(t.to);
      ap.addBool(t.applied);
      am.add(t.amount);
      cc.add(t.currency);
      addNonEmpty(re, utf8Prefix(t.reason, 1000));
      at.add(t.occurredAtMs);
    }
    sql.exec_params(
        "INSERT INTO payments.payment_transitions (provider, provider_event_id, provider_payment_id, event_type,"
        " from_state, to_state, applied, amount, currency, reason, occurred_at)"
        " SELECT p, e, i, t, f, s, a, m, c, r, to_timestamp(o / 1000.0) FROM unnest($1::text[], $2::text[],"
        " $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::bigint[], $9::text[], $10::text[],"
        " $11::bigint[]) AS u(p, e, i, t, f, s, a, m, c, r, o) ON CONFLICT (provider, provider_event_id) DO NOTHING",
        pr.str(), ev.str(), pa.str(), ty.str(), fr.str(), to.str(), ap.str(), am.str(), cc.str(), re.str(), at.str());
    transitions_.clear();
  }
  if (!ledger_.empty()) {
    SqlArray ti, pr, ev, ki, cu, cc, ob, am, at;
    SqlArray eti, eac, ecc, eam;
    for (const auto& t : ledger_) {
      ti.add(t.transactionId);
      pr.add(t.provider);
      ev.add(t.providerEventId);
      ki.add(kindName(t.kind));
      cu.add(t.customerId);
      cc.add(t.currency);
      ob.add(t.providerObjectId);
      am.add(t.amount);
      at.add(t.occurredAtMs);
      for (const auto& e : t.entries) {
        eti.add(t.transactionId);
        eac.add(e.account);
        ecc.add(t.currency);
        eam.add(e.amount);
      }
    }
    sql.exec_params(
        "INSERT INTO payments.ledger_transactions (transaction_id, provider, provider_event_id, kind, customer_id,"
        " currency, provider_object_id, amount, occurred_at) SELECT t, p, e, k, c, cc, o, a, to_timestamp(w / 1000.0)"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
        " $8::bigint[], $9::bigint[]) AS u(t, p, e, k, c, cc, o, a, w)",
        ti.str(), pr.str(), ev.str(), ki.str(), cu.str(), cc.str(), ob.str(), am.str(), at.str());
    sql.exec_params(
        "INSERT INTO payments.ledger_entries (transaction_id, account, currency, amount)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])",
        eti.str(), eac.str(), ecc.str(), eam.str());
    ledger_.clear();
  }
  if (!subscriptions_.empty()) {
    SqlArray pr, id, cu, pl, st, ps, pe, ca, am, cc, va, vr, ve, fv, du;
    for (const auto& [k, s] : subscriptions_) {
      pr.add(k.provider);
      id.add(k.id);
      cu.add(s.customerId);
      addOptional(pl, s.plan.value);
      addOptional(st, s.status.value);
      addOptional(ps, s.periodStartMs.value);
      addOptional(pe, s.periodEndMs.value);
      if (s.cancelAtPeriodEnd.value) ca.addBool(*s.cancelAtPeriodEnd.value);
      else ca.addNull();
      if (s.price.value) {
        am.add(s.price.value->amount);
        cc.add(s.price.value->currency);
      } else {
        am.addNull();
        cc.addNull();
      }
      if (s.status.version) {
        va.add(s.status.version->atMs);
        vr.add(std::int64_t(s.status.version->rank));
        ve.add(s.status.version->eventId);
      } else {
        va.addNull();
        vr.addNull();
        ve.addNull();
      }
      nlohmann::json versions = nlohmann::json::object();
      putVersion(versions, "plan", s.plan);
      putVersion(versions, "currentPeriodStart", s.periodStartMs);
      putVersion(versions, "currentPeriodEnd", s.periodEndMs);
      putVersion(versions, "cancelAtPeriodEnd", s.cancelAtPeriodEnd);
      putVersion(versions, "price", s.price);
      fv.add(versions.dump());
      addNonEmpty(du, s.dunningState);
    }
    sql.exec_params(
        "INSERT INTO payments.subscriptions (provider, provider_subscription_id, customer_id, plan, status,"
        " current_period_start, current_period_end, cancel_at_period_end, amount, currency, version_at, version_rank,"
        " version_event_id, field_versions, dunning_state)"
        " SELECT p, i, c, pl, s, to_timestamp(ps / 1000.0), to_timestamp(pe / 1000.0), ca, a, cc,"
        " to_timestamp(va / 1000.0), vr, ve, fv::jsonb, du FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
        " $5::text[], $6::bigint[], $7::bigint[], $8::boolean[], $9::bigint[], $10::text[], $11::bigint[],"
        " $12::int[], $13::text[], $14::text[], $15::text[]) AS u(p, i, c, pl, s, ps, pe, ca, a, cc, va, vr, ve, fv, du)"
        " ON CONFLICT (provider, provider_subscription_id) DO UPDATE SET customer_id = EXCLUDED.customer_id,"
        " plan = EXCLUDED.plan, status = EXCLUDED.status, current_period_start = EXCLUDED.current_period_start,"
        " current_period_end = EXCLUDED.current_period_end, cancel_at_period_end = EXCLUDED.cancel_at_period_end,"
        " amount = EXCLUDED.amount, currency = EXCLUDED.currency, version_at = EXCLUDED.version_at,"
        " version_rank = EXCLUDED.version_rank, version_event_id = EXCLUDED.version_event_id,"
        " field_versions = EXCLUDED.field_versions, dunning_state = EXCLUDED.dunning_state,"
        " updated_at = clock_timestamp()",
        pr.str(), id.str(), cu.str(), pl.str(), st.str(), ps.str(), pe.str(), ca.str(), am.str(), cc.str(), va.str(),
        vr.str(), ve.str(), fv.str(), du.str());
    subscriptions_.clear();
  }
  if (!dunnings_.empty()) {
    SqlArray pr, in, su, cu, cc, am, sp, na, st, sb, de;
    for (const auto& [k, d] : dunnings_) {
      pr.add(k.provider);
      in.add(k.id);
      su.add(d.subscriptionId);
      cu.add(d.customerId);
      cc.add(d.currency);
      am.add(d.amount);
      sp.add(std::int64_t(d.step));
      addOptional(na, d.nextAtMs);
      st.add(d.state);
      sb.add(d.startedBy);
      addNonEmpty(de, utf8Prefix(d.detail, 1000));
    }
    sql.exec_params(
        "INSERT INTO payments.dunning (provider, invoice_id, subscription_id, customer_id, currency, amount, step,"
        " next_at, state, started_by, detail) SELECT p, i, s, c, cc, a, st, to_timestamp(n / 1000.0), x, b, d"
        " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[],"
        " $8::bigint[], $9::text[], $10::text[], $11::text[]) AS u(p, i, s, c, cc, a, st, n, x, b, d)"
        " ON CONFLICT (provider, invoice_id) DO UPDATE SET step = EXCLUDED.step, next_at = EXCLUDED.next_at,"
        " state = EXCLUDED.state, detail = EXCLUDED.detail, updated_at = clock_timestamp()",
        pr.str(), in.str(), su.str(), cu.str(), cc.str(), am.str(), sp.str(), na.str(), st.str(), sb.str(), de.str());
    dunnings_.clear();
  }
  if (!steps_.empty()) {
    SqlArray pr, in, sp, du, ca;
    for (const auto& s : steps_) {
      pr.add(s.invoice.provider);
      in.add(s.invoice.id);
      sp.add(std::int64_t(s.step));
      du.add(s.dueAtMs);
      ca.addBool(s.cancel);
    }
    sql.exec_params(
        "INSERT INTO payments.dunning_steps (provider, invoice_id, step, due_at, cancel)"
        " SELECT p, i, s, to_timestamp(d / 1000.0), c FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[],"
        " $5::boolean[]) AS u(p, i, s, d, c) ON CONFLICT (provider, invoice_id, step) DO NOTHING",
        pr.str(), in.str(), sp.str(), du.str(), ca.str());
    steps_.clear();
  }
  if (!stepResults_.empty()) {
    SqlArray pr, in, sp, at, ou;
    for (const auto& r : stepResults_) {
      pr.add(r.invoice.provider);
      in.add(r.invoice.id);
      sp.add(std::int64_t(r.step));
      at.add(r.appliedAtMs);
      ou.add(utf8Prefix(r.outcome, 1000));
    }
    // A step the task never sent (a replay, or the provider's invoice.paid
    // overtaking it) gets its row here too.
    sql.exec_params(
        "INSERT INTO payments.dunning_steps AS d (provider, invoice_id, step, due_at, applied_at, outcome)"
        " SELECT p, i, s, to_timestamp(a / 1000.0), to_timestamp(a / 1000.0), o FROM unnest($1::text[], $2::text[],"
        " $3::int[], $4::bigint[], $5::text[]) AS u(p, i, s, a, o)"
        " ON CONFLICT (provider, invoice_id, step) DO UPDATE SET applied_at = EXCLUDED.applied_at,"
        " outcome = EXCLUDED.outcome",
        pr.str(), in.str(), sp.str(), at.str(), ou.str());
    stepResults_.clear();
  }
  if (!outcomes_.empty()) {
    SqlArray pr, ev, ou, de;
    for (const auto& [k, o] : outcomes_) {
      pr.add(k.provider);
      ev.add(k.id);
      ou.add(o.first);
      addNonEmpty(de, utf8Prefix(o.second, 1000));
    }
    sql.exec_params(
        "UPDATE payments.webhook_events w SET outcome = u.o, detail = u.d FROM unnest($1::text[], $2::text[],"
        " $3::text[], $4::text[]) AS u(p, e, o, d) WHERE w.provider = u.p AND w.provider_event_id = u.e",
        pr.str(), ev.str(), ou.str(), de.str());
    outcomes_.clear();
  }
  if (!unclaimed_.empty()) {
    SqlArray pr, ev;
    for (const auto& k : unclaimed_) {
      pr.add(k.provider);
      ev.add(k.id);
    }
    sql.exec_params(
        "DELETE FROM payments.webhook_events WHERE outcome = 'pending' AND (provider, provider_event_id) IN"
        " (SELECT * FROM unnest($1::text[], $2::text[]))",
        pr.str(), ev.str());
    unclaimed_.clear();
  }
}

}  // namespace qrfleet::payments
