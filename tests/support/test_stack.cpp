#include "test_stack.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <thread>

#include "qrfleet/kafka/kafka_admin.h"

namespace qrfleet::testing {

std::string requireEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    throw std::runtime_error(std::string(name) +
                             " is not set: integration tests need the stack from `scripts/stack --name test up` "
                             "(scripts/test starts it and exports it)");
  return v;
}

TestStack TestStack::fromEnvironment() {
  TestStack s;
  s.brokers = requireEnv("KAFKA_BROKERS");
  s.databaseUrl = requireEnv("DATABASE_URL");
  s.redisUrl = requireEnv("REDIS_URL");
  s.binDir = QRFLEET_BIN_DIR;
  return s;
}

S3Settings TestStack::s3(const std::string& bucket) const {
  S3Settings s;
  s.endpoint = requireEnv("QRFLEET_S3_ENDPOINT");
  s.region = requireEnv("QRFLEET_S3_REGION");
  s.accessKey = requireEnv("QRFLEET_S3_ACCESS_KEY");
  s.secretKey = requireEnv("QRFLEET_S3_SECRET_KEY");
  s.bucket = bucket;
  return s;
}

KafkaSettings TestStack::kafka() const {
  KafkaSettings k;
  k.brokers = brokers;
  return k;
}

std::string TestStack::createTopic(const std::string& prefix, int partitions) const {
  std::random_device rd;
  auto name = prefix + "-" + std::to_string(rd() % 1000000000);
  createTopicNamed(name, partitions);
  return name;
}

void TestStack::createTopicNamed(const std::string& name, int partitions) const {
  KafkaAdmin admin(kafka());
  TopicCatalog catalog = TopicCatalog::fromYaml("topics:\n  - name: " + name + "\n    partitions: " +
                                                std::to_string(partitions) + "\n    retention: 1d\n");
  admin.apply(catalog, 1);
  // The dead-letter queue must exist too (topics apply is idempotent).
  admin.apply(TopicCatalog::embedded(), 1);
}

bool TestStack::waitCaughtUp(const std::string& schema, const std::string& group,
                             const std::vector<std::string>& topics, std::chrono::milliseconds timeout) const {
  KafkaAdmin admin(kafka());
  return waitUntil(
      [&] {
        try {
          // Stored offsets first, end offsets after: applying an event can
          // produce another (a retry), which the other order could miss.
          pqxx::connection c(databaseUrl);
          pqxx::read_transaction t(c);
          std::map<std::pair<std::string, int>, long long> stored;
          for (const auto& r : t.exec_params("SELECT topic, partition, next_offset FROM " + t.quote_name(schema) +
                                                 ".kafka_offsets WHERE consumer_group = $1",
                                             group))
            stored[{r[0].as<std::string>(), r[1].as<int>()}] = r[2].as<long long>();
          for (const auto& topic : topics)
            for (const auto& [p, wm] : admin.watermarks(topic))
              if (wm.second > 0 && (!stored.count({topic, p}) || stored[{topic, p}] < wm.second)) return false;
          return true;
        } catch (const std::exception&) {
          return false;  // not migrated yet, or a store is down in a fault test
        }
      },
      timeout, std::chrono::milliseconds(200));
}

void TestStack::dropSchema(const std::string& schema) const {
  pqxx::connection c(databaseUrl);
  pqxx::work w(c);
  w.exec("DROP SCHEMA IF EXISTS " + w.quote_name(schema) + " CASCADE");
  w.commit();
}

namespace {
void stackControl(const std::string& verb, const std::string& service) {
  auto command = requireEnv("QRFLEET_STACK_CONTROL") + " " + verb + " " + service + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}
}  // namespace

std::string runCommand(const std::string& command, int* exitCode) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  int status = pclose(pipe);
  *exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

void TestStack::crash(const std::string& service) const { stackControl("crash", service); }
void TestStack::start(const std::string& service) const { stackControl("start", service); }

std::map<std::string, std::string> TestStack::workerEnv(const std::string& topics, const std::string& group,
                                                        int metricsPort, const std::string& instance,
                                                        const std::map<std::string, std::string>& extra) const {
  std::map<std::string, std::string> env{{"KAFKA_BROKERS", brokers},         {"DATABASE_URL", databaseUrl},
                                         {"REDIS_URL", redisUrl},            {"KAFKA_TOPICS", topics},
                                         {"KAFKA_GROUP_ID", group},          {"METRICS_PORT", std::to_string(metricsPort)},
                                         {"INSTANCE_ID", instance}};
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

void TestStack::resetScanAnalytics() const {
  dropSchema("analytics");
  RedisClient redis(redisUrl);
  redis.command({"FLUSHDB"});
}

WorkerProcess::WorkerProcess(const std::string& binary, std::map<std::string, std::string> env,
                             const std::string& logPath, std::vector<std::string> args,
                             const std::set<std::string>& unset)
    : logPath_(logPath) {
  std::vector<std::string> envStrings;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto name = kv.substr(0, kv.find('='));
    if (!env.count(name) && !unset.count(name)) envStrings.push_back(kv);
  }
  for (const auto& [k, v] : env) envStrings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : envStrings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string bin = binary;
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> argv{bin.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
}

WorkerProcess::~WorkerProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
}

void WorkerProcess::kill(int signal) {
  if (!exited_) ::kill(pid_, signal);
}

bool WorkerProcess::running() {
  if (exited_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

int WorkerProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -2;
}

bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout, std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(every);
  }
  return done();
}

long long queryCount(const std::string& databaseUrl, const std::string& sql) {
  try {
    pqxx::connection c(databaseUrl);
    pqxx::read_transaction t(c);
    auto r = t.exec1(sql);
    return r[0].is_null() ? 0 : r[0].as<long long>();
  } catch (const pqxx::undefined_table&) {
    return 0;
  }
}

std::string httpGet(int port, const std::string& path, int* status) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    if (status) *status = 0;
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  send(fd, req.data(), req.size(), 0);
  std::string resp;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  if (status) *status = resp.size() > 12 ? std::atoi(resp.substr(9, 3).c_str()) : 0;
  auto body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace qrfleet::testing
