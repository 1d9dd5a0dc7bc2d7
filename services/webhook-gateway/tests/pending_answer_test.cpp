#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "pending_answer.h"

using namespace qrfleet::webhook;
using namespace std::chrono_literals;

TEST_CASE("pending answer: settled once, by whichever comes first; the request is woken once") {
  std::atomic<int> woken{0};
  PendingAnswer answer([&] { woken++; });
  CHECK(answer.settle(std::nullopt));
  CHECK_FALSE(answer.settle(std::string("late failure")));
  CHECK(woken == 1);
  CHECK(answer.outcome() == std::nullopt);
}

TEST_CASE("answer deadlines: an unanswered request gets 'no acknowledgement' at its deadline, an answered one is left alone") {
  AnswerDeadlines deadlines(100ms);
  std::atomic<int> wokenLate{0}, wokenEarly{0};
  auto late = std::make_shared<PendingAnswer>([&] { wokenLate++; });
  auto early = std::make_shared<PendingAnswer>([&] { wokenEarly++; });
  auto gone = std::make_shared<PendingAnswer>([] {});
  auto started = std::chrono::steady_clock::now();
  deadlines.watch(late);
  deadlines.watch(early);
  deadlines.watch(gone);
  gone.reset();  // answered and its request completed: the deadline finds nothing
  CHECK(early->settle(std::nullopt));
  while (wokenLate == 0 && std::chrono::steady_clock::now() - started < 5s) std::this_thread::sleep_for(1ms);
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);
  REQUIRE(wokenLate == 1);
  CHECK(late->outcome() == std::string("no acknowledgement within 100 ms"));
  CHECK_FALSE(late->settle(std::nullopt));  // Kafka's answer after the deadline changes nothing
  std::this_thread::sleep_for(150ms);
  CHECK(wokenEarly == 1);
  CHECK(early->outcome() == std::nullopt);
}
