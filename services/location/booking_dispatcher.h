#pragma once
#include <prometheus/counter.h>

#include <set>
#include <span>
#include <string>

#include "qrfleet/batch_handler.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet::location {

struct BookingTopics {
  std::string bookings = "bookings";            // where booking.broadcast/assigned go
  std::string notifications = "notifications";  // notification.requested per offered transporter
};

// The booking flow on the `bookings` topic:
// - created: offer it to the nearest available transporters (Redis GEO),
//   record the offers, one push notification each, their channels told, and
//   booking.broadcast with the list;
// - accepted: the first accept of an offered transporter before the deadline
//   wins (booking.assigned; the others hear it is taken); every other accept is
//   recorded with why it lost;
// - cancelled / completed: close it and tell who needs to know;
// - the worker's own booking.expired (from BookingExpiryTask) closes it if
//   nobody took it first; booking.broadcast is recorded on a replay, where
//   created takes no decision (the decision is in the log already).
class BookingDispatcher {
 public:
  BookingDispatcher(BookingTopics topics, RuntimeMetrics& metrics);
  // `events`: one batch's booking events, in arrival order; one that breaks a
  // rule of the flow (an accept of an unknown booking) is dead-lettered alone.
  void apply(std::span<const Decoded<events::BookingEvent>> events, Effects& effects);

 private:
  void on(const ConsumedEvent& e, const events::BookingCreated& b, Effects& fx);
  void on(const ConsumedEvent& e, const events::BookingBroadcast& b, Effects& fx);
  void on(const ConsumedEvent& e, const events::BookingAccepted& a, Effects& fx);
  void on(const ConsumedEvent& e, const events::BookingCancelled& c, Effects& fx);
  void on(const ConsumedEvent& e, const events::BookingCompleted& c, Effects& fx);
  void on(const ConsumedEvent& e, const events::BookingExpired& x, Effects& fx);
  void on(const ConsumedEvent&, const events::BookingAssigned&, Effects&) {}  // applied at its accept
  // Publishes `message` to every transporter offered the booking except `except`.
  void tellOffered(const ConsumedEvent& e, Effects& fx, const std::string& bookingId, const nlohmann::json& message,
                   const std::string& except = "");
  void recordOffers(Effects& fx, const std::string& bookingId, const std::vector<events::BroadcastRecipient>& offers);

  BookingTopics topics_;
  prometheus::Family<prometheus::Counter>& accepts_;
  std::string service_;
  std::set<std::string> assignedInBatch_;  // busy already, not in Redis until the batch commits
};

}  // namespace qrfleet::location
