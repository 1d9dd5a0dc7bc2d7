#include "pending_answer.h"

namespace qrfleet::webhook {

bool PendingAnswer::settle(Outcome outcome) {
  {
    std::lock_guard lock(mutex_);
    if (settled_) return false;
    settled_ = true;
    outcome_ = std::move(outcome);
  }
  wake_();
  return true;
}

PendingAnswer::Outcome PendingAnswer::outcome() const {
  std::lock_guard lock(mutex_);
  return outcome_;
}

AnswerDeadlines::AnswerDeadlines(std::chrono::milliseconds timeout)
    : timeout_(timeout),
      expired_("no acknowledgement within " + std::to_string(timeout.count()) + " ms"),
      thread_([this] { run(); }) {}

AnswerDeadlines::~AnswerDeadlines() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void AnswerDeadlines::watch(const std::shared_ptr<PendingAnswer>& answer) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = due_.empty();
    due_.push_back({std::chrono::steady_clock::now() + timeout_, answer});
  }
  if (first) changed_.notify_one();  // otherwise the thread already waits for an earlier deadline
}

void AnswerDeadlines::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto next = due_.front().at;
    if (std::chrono::steady_clock::now() < next) {
      changed_.wait_until(lock, next);
      continue;
    }
    auto answer = due_.front().answer.lock();
    due_.pop_front();
    if (!answer) continue;  // answered and gone
    lock.unlock();
    answer->settle(expired_);
    lock.lock();
  }
}

}  // namespace qrfleet::webhook
