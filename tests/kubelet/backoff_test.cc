// CrashLoopBackOff as client-go's flowcontrol.Backoff computes it for the
// kubelet (initial 10 s, max 300 s, entry expired after 2 x 300 s).
#include <catch2/catch.hpp>

#include "models/kubelet/backoff.h"

using namespace kubesim;

namespace {
SimTime sec(int64_t s) {
  return SimTime::zero() + Duration::seconds(s);
}
}  // namespace

TEST_CASE("kubelet backoff: first restart immediate, then 10 s doubling to 300 s") {
  ContainerBackOff b;
  // Exit at 100 s, no entry: restart at once; the entry starts at 10 s.
  CHECK(b.restart_at(sec(100)) == sec(100));
  CHECK(b.current() == Duration::seconds(10));
  // Each later exit, 1 s after the restart, waits the entry's back-off, which
  // then doubles: 10, 20, 40, 80, 160, then 320 capped to 300, and 300.
  SimTime restarted = sec(100);
  const int64_t waits[] = {10, 20, 40, 80, 160, 300, 300};
  for (int64_t w : waits) {
    const SimTime exit = restarted + Duration::seconds(1);
    restarted = b.restart_at(exit);
    CHECK(restarted - exit == Duration::seconds(w));
  }
  CHECK(b.current() == Duration::seconds(300));
}

TEST_CASE("kubelet backoff: the entry expires after more than 10 minutes since the last restart") {
  ContainerBackOff b;
  CHECK(b.restart_at(sec(100)) == sec(100));  // lastUpdate 100, back-off 10 s
  // Exit at 700: 700 - 100 = 600 s is not > 2 x 300 s: still in back-off,
  // restart at 710, back-off 20 s, lastUpdate 710.
  CHECK(b.restart_at(sec(700)) == sec(710));
  CHECK(b.current() == Duration::seconds(20));
  // Exit at 1311: 1311 - 710 = 601 s > 600 s: expired, restart at once and
  // the entry starts again at 10 s.
  CHECK(b.restart_at(sec(1311)) == sec(1311));
  CHECK(b.current() == Duration::seconds(10));
  // The next quick exit waits 10 s again.
  CHECK(b.restart_at(sec(1312)) == sec(1322));
}
