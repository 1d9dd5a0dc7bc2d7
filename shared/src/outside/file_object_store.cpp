#include "qrfleet/outside/file_object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "qrfleet/event_id.h"
#include "qrfleet/hex.h"

#include <openssl/evp.h>

namespace qrfleet {

namespace fs = std::filesystem;

void checkObjectKey(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.back() == '/' || key.find('\0') != std::string::npos)
    throw std::invalid_argument("bad object key '" + key + "'");
  std::istringstream parts(key);
  for (std::string part; std::getline(parts, part, '/');)
    if (part.empty() || part == "." || part == "..") throw std::invalid_argument("bad object key '" + key + "'");
}

FileObjectStore::FileObjectStore(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw ObjectStoreError("cannot create object store directory " + root_.string() + ": " + ec.message(), false);
  root_ = fs::canonical(root_);
}

fs::path FileObjectStore::pathOf(const std::string& key) const {
  checkObjectKey(key);
  return root_ / key;
}

void FileObjectStore::replace(const fs::path& path, const std::function<void(const fs::path&)>& write) const {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) throw ObjectStoreError("cannot create " + path.parent_path().string() + ": " + ec.message(), true);
  auto tmp = path;
  tmp += ".tmp-" + randomUuid();
  try {
    write(tmp);
    fs::rename(tmp, path);
  } catch (const std::exception& e) {
    fs::remove(tmp, ec);
    throw ObjectStoreError("cannot write " + path.string() + ": " + e.what(), true);
  }
}

namespace {
struct FileDescriptor {
  int fd = -1;
  explicit FileDescriptor(int descriptor) : fd(descriptor) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}
}  // namespace

void FileObjectStore::put(const std::string& key, std::string_view bytes, const std::string&) {
  auto path = pathOf(key);
  // The bytes go into an unnamed file (O_TMPFILE) that is linked under its
  // name once written: a new object is one entry added to its directory. A
  // temporary name and a rename cost the directory three lookups and two
  // changes under its lock, most of a small put's time in a directory of
  // thousands of objects (scripts/bench bulk-qr: rename and create were a
  // quarter of the worker's CPU). An existing object, a filesystem without
  // O_TMPFILE, or no /proc: the temporary name and the rename.
  auto dir = path.parent_path();
  FileDescriptor file{::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666)};
  if (file.fd < 0 && errno == ENOENT) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw ObjectStoreError("cannot create " + dir.string() + ": " + ec.message(), true);
    file.fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  }
  if (file.fd >= 0) {
    if (!writeAll(file.fd, bytes))
      throw ObjectStoreError("cannot write " + path.string() + ": " + std::strerror(errno), true);
    auto self = "/proc/self/fd/" + std::to_string(file.fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return;
  }
  replace(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  });
}

void FileObjectStore::putFile(const std::string& key, const fs::path& file, const std::string&) {
  replace(pathOf(key), [&](const fs::path& tmp) { fs::copy_file(file, tmp, fs::copy_options::overwrite_existing); });
}

std::optional<std::string> FileObjectStore::get(const std::string& key) {
  std::ifstream in(pathOf(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::optional<std::string> FileObjectStore::getRange(const std::string& key, std::uint64_t offset,
                                                     std::uint64_t length) {
  std::ifstream in(pathOf(key), std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(static_cast<std::streamoff>(offset));
  std::string out(length, '\0');
  in.read(out.data(), static_cast<std::streamsize>(length));
  out.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return out;
}

std::vector<ObjectInfo> FileObjectStore::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    auto key = fs::relative(it->path(), root_).generic_string();
    if (key.find(".tmp-") != std::string::npos || key.rfind(prefix, 0) != 0) continue;
    // The ETag S3 gives a simple put: the MD5 of the bytes.
    auto bytes = get(key).value_or("");
    unsigned char md5[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(bytes.data(), bytes.size(), md5, &n, EVP_md5(), nullptr);
    out.push_back({key, static_cast<std::uint64_t>(bytes.size()), toHex(md5, n)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

void FileObjectStore::remove(const std::string& key) {
  std::error_code ec;
  fs::remove(pathOf(key), ec);
  if (ec) throw ObjectStoreError("cannot remove " + key + ": " + ec.message(), true);
}

std::string FileObjectStore::presignGet(const std::string& key, std::chrono::seconds) {
  return "file://" + pathOf(key).string();
}

}  // namespace qrfleet
