// ObserverBus: models publish typed records; analysis subscribes. Models keep
// no statistics of their own (DESIGN.md, after OMNeT++ signals).
//
// A Topic<R> is looked up by type once, when components are wired; publishing
// is then a loop over that topic's handlers, with no lookup and no strings.
//
//   struct PodScheduled { SimTime t; uint32_t pod; uint32_t node; };
//   Topic<PodScheduled>& scheduled = bus.topic<PodScheduled>();   // wiring
//   scheduled.subscribe([&](const PodScheduled& r) { ++count; });  // analysis
//   scheduled.publish({now, pod, node});                           // model
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <typeindex>
#include <vector>

namespace kubesim {

class TopicBase {
 public:
  virtual ~TopicBase() = default;
};

template <class Record>
class Topic final : public TopicBase {
 public:
  using Handler = std::function<void(const Record&)>;

  void subscribe(Handler h) { handlers_.push_back(std::move(h)); }
  bool has_subscribers() const { return !handlers_.empty(); }
  void publish(const Record& r) const {
    for (const Handler& h : handlers_)
      h(r);
  }

 private:
  std::vector<Handler> handlers_;
};

class ObserverBus {
 public:
  // The topic of records of type R, created on first use. The reference stays
  // valid for the bus's lifetime.
  template <class Record>
  Topic<Record>& topic() {
    auto& slot = topics_[std::type_index(typeid(Record))];
    if (!slot) slot = std::make_unique<Topic<Record>>();
    return static_cast<Topic<Record>&>(*slot);
  }

 private:
  std::map<std::type_index, std::unique_ptr<TopicBase>> topics_;
};

}  // namespace kubesim
