#include "analysis/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <unistd.h>

namespace kubesim {

Expected<AtomicFile> AtomicFile::open(const std::filesystem::path& path) {
  AtomicFile f;
  f.path_ = path;
  const std::string name = path.filename().string();
  if (name.empty()) return Error{fmt::format("{}: not a file name", path.string())};
  f.temp_ = path.parent_path() / fmt::format(".{}.tmp-{}", name, static_cast<long>(::getpid()));
  f.out_ = std::make_unique<std::ofstream>(f.temp_, std::ios::binary | std::ios::trunc);
  if (!*f.out_) {
    return Error{fmt::format("cannot create {}: {}", f.temp_.string(), std::strerror(errno))};
  }
  f.pending_ = true;
  return f;
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_(std::move(other.temp_)),
      out_(std::move(other.out_)),
      pending_(std::exchange(other.pending_, false)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    temp_ = std::move(other.temp_);
    out_ = std::move(other.out_);
    pending_ = std::exchange(other.pending_, false);
  }
  return *this;
}

AtomicFile::~AtomicFile() {
  discard();
}

Expected<std::filesystem::path> AtomicFile::commit() {
  if (!pending_) return Error{fmt::format("{}: already committed or discarded", path_.string())};
  out_->flush();
  const bool written = static_cast<bool>(*out_);
  const int write_errno = errno;
  out_->close();
  if (!written || out_->fail()) {
    discard();
    return Error{fmt::format("cannot write {}: {}", temp_.string(), std::strerror(write_errno))};
  }
  std::error_code ec;
  std::filesystem::rename(temp_, path_, ec);
  if (ec) {
    discard();
    return Error{
        fmt::format("cannot rename {} to {}: {}", temp_.string(), path_.string(), ec.message())};
  }
  pending_ = false;
  return path_;
}

void AtomicFile::discard() {
  if (!pending_) return;
  pending_ = false;
  out_->close();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);  // best effort: nothing more to do on failure
}

Expected<std::filesystem::path> write_file_atomically(const std::filesystem::path& path,
                                                      std::string_view content) {
  auto file = AtomicFile::open(path);
  if (!file) return file.error();
  file->stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  return file->commit();
}

}  // namespace kubesim
