#include "notifications_handler.h"

#include <set>

#include "notify_keys.h"
#include "qrfleet/derived_event.h"
#include "qrfleet/event_id.h"
#include "qrfleet/events/notification_status.h"
#include "qrfleet/runtime/retry_schedule.h"
#include "qrfleet/time_format.h"
#include "qrfleet/utf8.h"

namespace qrfleet::notify {

namespace {
constexpr std::string_view kSource = "qrfleet-notifications";
// Namespace of the status events' ids: a function of the notification alone.
constexpr std::string_view kStatusNamespace = "6f1f5a43-8f0e-5c4e-9a53-2b9d61a1c0de";

int priorityRank(const std::string& priority) { return priority == "urgent" ? 2 : priority == "normal" ? 1 : 0; }

constexpr std::string_view kRetriesExhausted = "retries exhausted";

// The error the platform sees (status event, Redis): a function of the events
// and the recorded outcomes; what the last transient failure said is not.
std::string publicError(const std::string& error) {
  if (error.starts_with(kRetriesExhausted)) return std::string(kRetriesExhausted);
  return utf8Prefix(error, 500);
}

std::string stepName(const std::string& channel) { return "send:" + channel; }
std::string stepSubject(const std::string& notificationId) { return "notification:" + notificationId; }
}  // namespace

struct NotificationsHandler::Pending {
  const ConsumedEvent* event;
  events::NotificationRequested request;
  NotificationRow row;
  OutgoingMessage message;
};

NotificationsHandler::NotificationsHandler(NotifySettings settings, ChannelDelivery& delivery, OutsideKit& kit,
                                           RuntimeMetrics& metrics)
    : settings_(std::move(settings)),
      delivery_(delivery),
      kit_(kit),
      outcomes_(metrics.counters("qrfleet_notifications_total", "Notifications by channel, provider and outcome (sent, failed, expired, deferred, retrying)")),
      queueAge_(metrics.histograms("qrfleet_notification_queue_age_seconds", "From request to delivery outcome, by priority")) {}

namespace {
// A time zone the tz database does not know would stop quiet hours from
// being computed for every later request of the recipient: refused up front.
std::optional<std::string> timeZoneError(const events::NotificationContactUpdated& c) {
  if (!c.timeZone) return std::nullopt;
  try {
    QuietHours::parse(*c.timeZone, c.quietStart.value_or("00:00"), c.quietEnd.value_or("00:00"));
  } catch (const std::invalid_argument& err) {
    return std::string("field 'timeZone': ") + err.what();
  }
  return std::nullopt;
}
}  // namespace

void NotificationsHandler::onEvents(std::span<const Decoded<NotifyEvent>> events, Effects& fx) {
  // What an earlier run of a batch collected and did not write (it threw) is not this run's.
  store_ = NotificationStore{};
  // In offset order; contacts are read for every recipient the batch names.
  struct Item {
    const ConsumedEvent* event;
    const events::NotificationRequested* request;
    const events::NotificationContactUpdated* contact;
  };
  std::vector<Item> items;
  std::vector<std::string> recipients, ids, templateNames;
  for (const auto& d : events) {
    if (const auto* c = std::get_if<events::NotificationContactUpdated>(&d.data)) {
      if (auto error = timeZoneError(*c)) fx.reject(*d.event, RejectReason::schemaViolation, *error);
      else items.push_back({d.event, nullptr, c});
      continue;
    }
    const auto& n = std::get<events::NotificationRequested>(d.data);
    recipients.push_back(n.recipientId);
    ids.push_back(n.dedupeKey.value_or(d.event->envelope.eventId));
    if (!n.templateName.empty()) templateNames.push_back(n.templateName);
    items.push_back({d.event, &n, nullptr});
  }
  auto& sql = fx.sql();
  auto contacts = NotificationStore::contacts(sql, recipients);
  auto states = NotificationStore::states(sql, ids);
  auto templates = NotificationStore::templates(sql, templateNames);

  std::vector<Pending> sends;
  sends.reserve(items.size());
  for (auto& item : items) {
    const auto& e = *item.event;
    if (item.contact) {
      const auto& c = *item.contact;
      Contact now{c.address, c.locale, std::nullopt, e.envelope.timestampMs};
      if (c.timeZone && c.quietStart && c.quietEnd) now.quiet = QuietHours::parse(*c.timeZone, *c.quietStart, *c.quietEnd);
      // An older update (a replay over the kept table, a late redelivery) changes nothing.
      if (auto known = contacts.find(c.recipientId); known == contacts.end() || known->second.updatedMs <= now.updatedMs)
        contacts[c.recipientId] = std::move(now);
      store_.saveContact(c, e.envelope.eventId, e.envelope.timestampMs);
      continue;
    }
    const auto& n = *item.request;
    auto id = n.dedupeKey.value_or(e.envelope.eventId);
    // Where the notification stands, as of the events before this one (this
    // batch's included): a replay may see a request and its release together.
    auto& state = states[id];
    bool released = state.status == "deferred" && state.releaseEventId == e.envelope.eventId;
    // A notification being retried belongs to the event that is retried (its
    // copies keep its id); another request with its dedupeKey is a duplicate.
    bool retriedElsewhere = state.status == "retrying" && state.eventId != e.envelope.eventId;
    if (state.status == "handled" || state.final() || (state.status == "deferred" && !released) || retriedElsewhere) {
      fx.duplicate(e);
      continue;
    }
    state.status = "handled";
    auto contact = contacts.find(n.recipientId);
    auto decision = decideDelivery(n, contact == contacts.end() ? nullptr : &contact->second, e.kafkaTimestampMs,
                                   released, settings_.defaultLocale);
    NotificationRow row;
    row.notificationId = id;
    row.eventId = e.envelope.eventId;
    row.recipientId = n.recipientId;
    row.channel = n.channel;
    row.priority = n.priority;
    row.templateName = n.templateName;
    row.attempts = e.attempt;
    row.requestedAtMs = e.envelope.timestampMs;
    row.expiresAtMs = n.expiresAtMs;
    if (released) store_.released(id);
    switch (decision.kind) {
      case DeliveryDecision::Kind::expire:
        row.status = "expired";
        row.error = decision.reason;
        finish(e, std::move(row), std::string(events::NotificationOutcome::expiredType), fx);
        continue;
      case DeliveryDecision::Kind::fail:
        row.status = "failed";
        row.error = decision.reason;
        finish(e, std::move(row), std::string(events::NotificationOutcome::failedType), fx);
        continue;
      case DeliveryDecision::Kind::defer: {
        row.status = "deferred";
        row.dueAtMs = decision.dueAtMs;
        row.error = decision.reason;
        // The copy the release task sends when due: the same request under
        // its notification id, with an id of its own that says it is the release.
        auto copy = n;
        copy.dedupeKey = id;
        auto release = derivedEvent(e.envelope, "release", events::NotificationRequested::type, copy.version(),
                                    copy.toPayload(), e.envelope.source);
        state = {"deferred", release.eventId, e.envelope.eventId};
        store_.schedule({id, routeTopicOf(e.source.topic), e.key, release.encode(), release.eventId, decision.dueAtMs});
        outcomes_.Add({{"channel", n.channel}, {"provider", ""}, {"outcome", "deferred"}}).Increment();
        for (auto& command : statusHash(row)) fx.redis(e).command(std::move(command));
        store_.save(std::move(row));
        continue;
      }
      case DeliveryDecision::Kind::deliver: break;
    }
    Pending p{&e, n, std::move(row), {}};
    p.message.notificationId = id;
    p.message.recipientId = n.recipientId;
    p.message.channel = n.channel;
    p.message.priority = n.priority;
    p.message.address = decision.address;
    p.message.data = n.data;
    p.message.expiresAtMs = n.expiresAtMs;
    try {
      if (n.body) {
        p.message.content = inlineMessage(n.subject.value_or(""), *n.body);
      } else {
        const MessageTemplate* t = nullptr;
        for (const auto& locale : decision.locales)
          if (auto it = templates.find(NotificationStore::templateKey(n.templateName, n.channel, locale));
              it != templates.end()) {
            t = &it->second;
            break;
          }
        if (!t) throw TemplateError("no template '" + n.templateName + "' for channel " + n.channel);
        p.row.templateVersion = t->version;
        p.message.content = renderTemplate(*t, n.data);
      }
    } catch (const TemplateError& err) {
      p.row.status = "failed";
      p.row.error = err.what();
      finish(e, std::move(p.row), std::string(events::NotificationOutcome::failedType), fx);
      continue;
    }
    if (n.channel == "in_app") {
      deliverInApp(p, fx);
      continue;
    }
    sends.push_back(std::move(p));
  }

  // The outside steps: one per notification, recorded under the notification.
  std::vector<OutsideStep> steps;
  steps.reserve(sends.size());
  std::shared_ptr<OutsideBatchCall> pushes;
  for (const auto& p : sends) {
    OutsideStep s{p.event, stepName(p.message.channel), p.message.channel, "", {}, stepSubject(p.message.notificationId),
                  priorityRank(p.message.priority), nullptr};
    if (p.message.channel == "push") {
      if (!pushes) {
        pushes = std::make_shared<OutsideBatchCall>();
        pushes->maxSteps = delivery_.pushBatchSize();
        pushes->call = [this, &sends, &steps](std::span<const OutsideStep* const> batch,
                                              std::span<const OutsideCall> calls) {
          std::vector<StepOutcome> out(batch.size());
          std::vector<const OutgoingMessage*> messages;
          std::vector<OutsideCall> sendCalls;
          std::vector<std::size_t> where;
          for (std::size_t k = 0; k < batch.size(); ++k) {
            const auto& m = sends[static_cast<std::size_t>(batch[k] - steps.data())].message;
            if (auto limited = recipientLimited(m)) {
              out[k] = *limited;
              continue;
            }
            messages.push_back(&m);
            sendCalls.push_back(calls[k]);
            where.push_back(k);
          }
          auto sent = delivery_.deliverPushes(messages, sendCalls);
          for (std::size_t k = 0; k < where.size(); ++k) out[where[k]] = std::move(sent[k]);
          return out;
        };
      }
      s.batch = pushes;
    } else {
      s.call = [this, &p](const OutsideCall& call) { return callOne(p, call); };
    }
    steps.push_back(std::move(s));
  }
  auto outcomes = fx.callOutside(steps);
  for (std::size_t i = 0; i < sends.size(); ++i) applyOutcome(sends[i], outcomes[i], fx);
  store_.flush(sql);
}

std::optional<StepOutcome> NotificationsHandler::recipientLimited(const OutgoingMessage& m) {
  if (!settings_.recipientLimit) return std::nullopt;
  auto wait = kit_.rateLimiter().acquire("recipient:" + m.channel + ":" + m.recipientId, *settings_.recipientLimit);
  if (wait.count() == 0) return std::nullopt;
  return StepOutcome::transient("rate limited: recipient " + m.recipientId + " has had its " + m.channel + " messages",
                                wait, true);
}

StepOutcome NotificationsHandler::callOne(const Pending& p, const OutsideCall& call) {
  if (auto limited = recipientLimited(p.message)) return *limited;
  return delivery_.deliver(p.message, call);
}

void NotificationsHandler::deliverInApp(Pending& p, Effects& fx) {
  const auto& e = *p.event;
  nlohmann::json message = {{"id", p.message.notificationId},
                            {"subject", p.message.content.subject},
                            {"body", p.message.content.text},
                            {"data", p.message.data},
                            {"at", formatRfc3339Millis(e.envelope.timestampMs)}};
  auto redis = fx.redis(e);
  redis.xAdd(keys::inbox(p.message.recipientId), settings_.inboxLength,
             {{"id", p.message.notificationId}, {"message", message.dump()}});
  redis.publish(keys::inboxChannel(p.message.recipientId), message.dump());
  p.row.status = "sent";
  p.row.inboxMessage = message.dump();
  p.row.provider = "in-app";
  p.row.providerMessageId = p.message.notificationId;
  if (!fx.replaying())
    store_.audit({p.row.notificationId, e.envelope.eventId, e.attempt, p.row.channel, "in-app", "sent",
                  p.row.providerMessageId, ""});
  finish(e, std::move(p.row), std::string(events::NotificationOutcome::sentType), fx);
}

void NotificationsHandler::applyOutcome(Pending& p, const StepOutcome& o, Effects& fx) {
  const auto& e = *p.event;
  auto answer = splitProviderAnswer(o);
  auto& row = p.row;
  bool called = o.status != StepStatus::notCalled;
  std::string eventType;
  switch (o.status) {
    case StepStatus::succeeded:
      if (o.detail == kExpiredBeforeCall) {
        row.status = "expired";
        row.error = o.detail;
        eventType = events::NotificationOutcome::expiredType;
      } else {
        row.status = "sent";
        row.provider = answer.provider;
        row.providerMessageId = answer.text;
        eventType = events::NotificationOutcome::sentType;
      }
      break;
    case StepStatus::failedPermanently:
      row.status = "failed";
      row.provider = answer.provider;
      row.error = answer.text;
      eventType = events::NotificationOutcome::failedType;
      break;
    case StepStatus::failedTransiently:
    case StepStatus::notCalled:
      // No provider is named: which one a transient failure came from is a
      // matter of circuits and timing (and a replay does not know it).
      if (fx.lastAttempt(e)) {
        row.status = "failed";
        row.error = std::string(kRetriesExhausted) + " (last: " + o.detail + ")";
        eventType = events::NotificationOutcome::failedType;
      } else {
        row.status = "retrying";
        row.error = o.detail;
        if (o.status == StepStatus::failedTransiently) fx.retryLater(e, o.detail, o.retryAfter);
      }
      break;
  }
  if (called && !fx.replaying() && o.detail != kExpiredBeforeCall)
    store_.audit({row.notificationId, e.envelope.eventId, e.attempt, row.channel, answer.provider,
                  o.status == StepStatus::succeeded ? "sent" : o.status == StepStatus::failedPermanently ? "failed" : "retrying",
                  row.status == "sent" ? row.providerMessageId : "", row.status == "sent" ? "" : o.detail});
  if (eventType.empty()) {
    outcomes_.Add({{"channel", row.channel}, {"provider", answer.provider}, {"outcome", "retrying"}}).Increment();
    for (auto& command : statusHash(row)) fx.redis(e).command(std::move(command));
    store_.save(std::move(row));
    return;
  }
  finish(e, std::move(row), eventType, fx);
}

void NotificationsHandler::finish(const ConsumedEvent& e, NotificationRow row, const std::string& eventType,
                                  Effects& fx) {
  outcomes_.Add({{"channel", row.channel}, {"provider", row.provider}, {"outcome", row.status}}).Increment();
  if (!fx.replaying())
    queueAge_.Add({{"priority", row.priority}},
                  prometheus::Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300})
        .Observe(std::max<double>(0, static_cast<double>(nowMillis() - e.envelope.timestampMs) / 1000.0));
  events::NotificationOutcome out{row.notificationId, row.recipientId, row.channel, std::nullopt, row.attempts,
                                  std::nullopt, std::nullopt};
  if (!row.provider.empty()) out.provider = row.provider;
  if (!row.providerMessageId.empty()) out.providerMessageId = row.providerMessageId;
  if (!row.error.empty()) out.error = publicError(row.error);
  auto status = derivedEvent(e.envelope, row.status, eventType, 1, out.toPayload(), kSource);
  status.eventId = uuidV5(kStatusNamespace, row.status + "/" + row.notificationId);
  fx.emitOnce(settings_.statusTopic, row.recipientId, status);

  for (auto& command : statusHash(row)) fx.redis(e).command(std::move(command));
  store_.save(std::move(row));
}

std::vector<std::vector<std::string>> NotificationsHandler::statusHash(const NotificationRow& row) const {
  auto key = keys::status(row.notificationId);
  std::vector<std::string> hset = {"HSET", key, "status", row.status, "channel", row.channel};
  if (!row.provider.empty()) hset.insert(hset.end(), {"provider", row.provider});
  if (!row.providerMessageId.empty()) hset.insert(hset.end(), {"providerMessageId", row.providerMessageId});
  if ((row.status == "failed" || row.status == "expired") && !row.error.empty())
    hset.insert(hset.end(), {"error", publicError(row.error)});
  if (row.status == "deferred" && row.dueAtMs) hset.insert(hset.end(), {"dueAt", formatRfc3339Millis(*row.dueAtMs)});
  return {std::move(hset), {"EXPIRE", key, std::to_string(settings_.statusTtlSeconds)}};
}

void NotificationsHandler::rebuildRedis(pqxx::transaction_base& sql, RedisWriteBuffer& redis) const {
  for (const auto& r : sql.exec(
           "SELECT notification_id, status, channel, coalesce(provider, ''), coalesce(provider_message_id, ''),"
           " coalesce(error, ''), recipient_id, inbox_message, (extract(epoch FROM due_at) * 1000)::bigint"
           " FROM notify.notifications WHERE updated_at > now() - interval '7 days'"
           " ORDER BY requested_at, notification_id")) {
    NotificationRow row;
    row.notificationId = r[0].as<std::string>();
    row.status = r[1].as<std::string>();
    row.channel = r[2].as<std::string>();
    row.provider = r[3].as<std::string>();
    row.providerMessageId = r[4].as<std::string>();
    row.error = r[5].as<std::string>();
    if (!r[8].is_null()) row.dueAtMs = r[8].as<std::int64_t>();
    for (auto& command : statusHash(row)) redis.add(std::move(command));
    if (!r[7].is_null())
      redis.add({"XADD", keys::inbox(r[6].as<std::string>()), "MAXLEN", "~", std::to_string(settings_.inboxLength), "*",
                 "id", row.notificationId, "message", r[7].as<std::string>()});
  }
}

}  // namespace qrfleet::notify
