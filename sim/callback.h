// Callback: a move-only `void()` callable stored inline in a fixed buffer, so
// that scheduling an event never allocates. A lambda that captures more than
// kCallbackCapacity bytes is a compile error: capture ids or a pointer to the
// component, not containers.
//
//   Callback cb = [this, pod_id] { on_probe(pod_id); };
//   cb();
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace kubesim {

inline constexpr std::size_t kCallbackCapacity = 48;

class Callback {
 public:
  Callback() = default;

  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, Callback> &&
           std::is_invocable_r_v<void, std::decay_t<F>&>)
      Callback(F&& f) {  // NOLINT: implicit, like std::function
    construct(std::forward<F>(f));
  }

  // Replaces the callable, constructing the new one in place (no temporary).
  template <class F>
  void emplace(F&& f) {
    if constexpr (std::is_same_v<std::decay_t<F>, Callback>) {
      *this = std::move(f);
    } else {
      reset();
      construct(std::forward<F>(f));
    }
  }

  Callback(Callback&& o) noexcept { take(o); }
  Callback& operator=(Callback&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;
  ~Callback() { reset(); }

  explicit operator bool() const { return invoke_ != nullptr; }
  void operator()() { invoke_(storage_); }

  void reset() noexcept {
    if (manage_ != nullptr) manage_(nullptr, storage_);
    invoke_ = nullptr;
    manage_ = nullptr;
  }

 private:
  template <class F>
  void construct(F&& f) {
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= kCallbackCapacity,
                  "event callback captures too much: capture ids or a pointer, not containers");
    static_assert(alignof(Fn) <= alignof(std::max_align_t), "over-aligned callback");
    static_assert(std::is_nothrow_move_constructible_v<Fn>, "callback must be nothrow-movable");
    ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
    invoke_ = [](void* s) { (*static_cast<Fn*>(s))(); };
    if constexpr (!(std::is_trivially_copyable_v<Fn> && std::is_trivially_destructible_v<Fn>)) {
      manage_ = [](void* dst, void* src) noexcept {
        if (dst != nullptr) ::new (dst) Fn(std::move(*static_cast<Fn*>(src)));
        static_cast<Fn*>(src)->~Fn();
      };
    } else {
      manage_ = nullptr;
    }
  }

  // Moves o's callable into *this (which is empty) and leaves o empty.
  void take(Callback& o) noexcept {
    if (o.manage_ != nullptr) {
      o.manage_(storage_, o.storage_);
    } else {
      // Trivially copyable: copy the whole buffer. Bytes past the callable are
      // indeterminate, which is fine for unsigned char; GCC warns regardless.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
      std::memcpy(storage_, o.storage_, kCallbackCapacity);
#pragma GCC diagnostic pop
    }
    invoke_ = o.invoke_;
    manage_ = o.manage_;
    o.invoke_ = nullptr;
    o.manage_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kCallbackCapacity];
  void (*invoke_)(void*) = nullptr;
  // Move-constructs into dst (when not null) and destroys src; null when trivial.
  void (*manage_)(void* dst, void* src) noexcept = nullptr;
};

}  // namespace kubesim
