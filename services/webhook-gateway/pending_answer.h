#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace qrfleet::webhook {

// A webhook request waiting for Kafka's acknowledgement of its event. It is
// settled once: by the acknowledgement, or by its deadline, whichever comes
// first; the later one finds it settled and does nothing. Settling calls
// `wake` (the server resumes the request's connection), never twice.
class PendingAnswer {
 public:
  // nullopt: acknowledged; else why not.
  using Outcome = std::optional<std::string>;

  explicit PendingAnswer(std::function<void()> wake) : wake_(std::move(wake)) {}
  PendingAnswer(const PendingAnswer&) = delete;
  PendingAnswer& operator=(const PendingAnswer&) = delete;

  // True when this call settled it (and woke the request).
  bool settle(Outcome outcome);
  // The outcome it was settled with; only once settled.
  Outcome outcome() const;

 private:
  mutable std::mutex mutex_;
  bool settled_ = false;
  Outcome outcome_;
  std::function<void()> wake_;
};

// A thread that settles every pending answer still unsettled at its deadline
// as "no acknowledgement within N ms". All deadlines are the same timeout from
// when the request was taken, so they fall due in the order they were added:
// a queue, not a heap.
class AnswerDeadlines {
 public:
  explicit AnswerDeadlines(std::chrono::milliseconds timeout);
  ~AnswerDeadlines();
  AnswerDeadlines(const AnswerDeadlines&) = delete;
  AnswerDeadlines& operator=(const AnswerDeadlines&) = delete;

  void watch(const std::shared_ptr<PendingAnswer>& answer);

 private:
  struct Due {
    std::chrono::steady_clock::time_point at;
    std::weak_ptr<PendingAnswer> answer;
  };
  void run();

  std::chrono::milliseconds timeout_;
  std::string expired_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Due> due_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace qrfleet::webhook
