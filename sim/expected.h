// Expected<T>: a value or an Error with a message, for errors at boundaries
// (parsing, parameter checks). C++20 has no std::expected; this is the small
// subset kubesim needs.
//
//   Expected<Duration> d = parse_duration("10s");
//   if (!d) return Error{"spec.duration: " + d.error().message};
//   use(*d);
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace kubesim {

struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Accessing the value of an error is a programming error: it throws.
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Expected*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  T& checked() {
    if (!ok()) throw std::logic_error("Expected::value() on an error: " + error().message);
    return std::get<0>(v_);
  }
  std::variant<T, Error> v_;
};

}  // namespace kubesim
