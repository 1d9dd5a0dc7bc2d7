#include "probe_run.h"


namespace qrfleet::testing {

ProbeRun::ProbeRun(const std::string& name, int partitions)
    : run_({"qrfleet-test-probe", "probe", "probe-" + name, {{"probe-" + name, partitions}}, {}, true, false,
            {{"RETRY_INITIAL_MS", "50"}, {"RETRY_MAX_MS", "200"}}}) {}

std::unique_ptr<WorkerProcess> ProbeRun::startWorker(std::map<std::string, std::string> extraEnv) {
  return run_.startWorker(std::move(extraEnv));
}

std::vector<Envelope> ProbeRun::produce(int from, int to, const std::string& key) {
  return run_.produceSteps(from, to, key);
}

bool ProbeRun::waitCaughtUp(std::chrono::milliseconds timeout) { return run_.waitCaughtUp(timeout); }

std::map<int, int> ProbeRun::appliedAttempts() const {
  pqxx::connection c(stack().databaseUrl);
  pqxx::read_transaction t(c);
  std::map<int, int> out;
  for (const auto& r : t.exec("SELECT n, attempt FROM probe.applied")) out[r[0].as<int>()] = r[1].as<int>();
  return out;
}

std::vector<ProbeAttempt> ProbeRun::attempts(int n) const {
  pqxx::connection c(stack().databaseUrl);
  pqxx::read_transaction t(c);
  std::vector<ProbeAttempt> out;
  for (const auto& r : t.exec_params(
           "SELECT n, batch_size, outcome, extract(epoch FROM at) FROM probe.attempts WHERE n = $1 ORDER BY at", n))
    out.push_back({r[0].as<int>(), r[1].as<int>(), r[2].as<std::string>(), r[3].as<double>()});
  return out;
}

std::vector<DeadLetter> ProbeRun::deadLetters() const { return run_.deadLetters(); }

}  // namespace qrfleet::testing
