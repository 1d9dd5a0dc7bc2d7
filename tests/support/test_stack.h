#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/kafka/kafka_settings.h"
#include "qrfleet/outside/s3_object_store.h"
#include "qrfleet/stores/redis_client.h"

namespace qrfleet::testing {

// A variable the test stack exports; a missing one fails the test (it cannot pass without its stack).
std::string requireEnv(const char* name);

// The real Kafka, Postgres and Redis that scripts/stack started, as named by
// KAFKA_BROKERS, DATABASE_URL and REDIS_URL. Missing variables fail the test:
// an integration test that cannot reach its stack must not pass.
struct TestStack {
  static TestStack fromEnvironment();

  std::string brokers;
  std::string databaseUrl;
  std::string redisUrl;
  std::string binDir;  // where the worker binaries are

  KafkaSettings kafka() const;
  // The stack's S3 server (QRFLEET_S3_*, exported when the stack runs one) for `bucket`;
  // throws when the stack has none, so an object-storage test cannot pass without it.
  S3Settings s3(const std::string& bucket) const;
  // The environment of a worker under test: the stack's stores, its topics,
  // group, metrics port and instance id; `extra` overrides or adds.
  std::map<std::string, std::string> workerEnv(const std::string& topics, const std::string& group, int metricsPort,
                                               const std::string& instance,
                                               const std::map<std::string, std::string>& extra) const;
  // A fresh topic with a unique name, so tests never see each other's events.
  std::string createTopic(const std::string& prefix, int partitions) const;
  void createTopicNamed(const std::string& name, int partitions) const;
  // Drops a service's schema (tables and offsets): each test starts clean.
  void dropSchema(const std::string& schema) const;
  // Fault injection through scripts/stack (QRFLEET_STACK_CONTROL, exported by
  // `scripts/stack env`): crash("kafka"), start("redis"), ...
  void crash(const std::string& service) const;
  void start(const std::string& service) const;
  // Drops the analytics schema and empties Redis: each test starts clean.
  void resetScanAnalytics() const;
  // True once the offsets `group` stored in <schema>.kafka_offsets reach the
  // end of every partition of `topics`.
  bool waitCaughtUp(const std::string& schema, const std::string& group, const std::vector<std::string>& topics,
                    std::chrono::milliseconds timeout) const;
};

// A worker process under test. Its stdout/stderr go to a log file.
class WorkerProcess {
 public:
  // `env` adds to or overrides the test's environment; `unset` removes variables from it.
  WorkerProcess(const std::string& binary, std::map<std::string, std::string> env, const std::string& logPath,
                std::vector<std::string> args = {}, const std::set<std::string>& unset = {});
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  void kill(int signal);
  // Waits for exit; returns the exit code, or 128+signal; -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool running();
  const std::string& logPath() const { return logPath_; }

 private:
  int pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string logPath_;
};

// Polls `done` until it returns true or the timeout passes.
bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(200));

// Runs a shell command; returns its stdout and sets *exitCode.
std::string runCommand(const std::string& command, int* exitCode);

long long queryCount(const std::string& databaseUrl, const std::string& sql);
std::string httpGet(int port, const std::string& path, int* status = nullptr);
int freePort();

}  // namespace qrfleet::testing
