// What only the RocksDB store does: survive reopening and a killed writer, lock out a
// second primary, and serve secondaries.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/store/run_store.h"
#include "common/store/tests/store_test_util.h"

extern char** environ;

namespace salvo {
namespace {

using testing_util::ExpectSameRecord;
using testing_util::FullRecord;
using testing_util::IsOk;
using testing_util::TempDir;

constexpr char kWriterVariable[] = "SALVO_STORE_CRASH_WRITER";

std::unique_ptr<RunStore> Open(const std::string& dir, StoreMode mode,
                               const std::string& secondary_dir = "") {
  Result<std::unique_ptr<RunStore>> store = OpenRocksStore(dir, mode, secondary_dir);
  EXPECT_TRUE(IsOk(store));
  return store.ok() ? std::move(store).value() : nullptr;
}

RunRecord Trial(const std::string& id) {
  RunRecord r;
  r.id = id;
  r.kind = RunKind::kTrial;
  return r;
}

std::vector<double> Values(RunStore& store, const std::string& id) {
  std::vector<double> values;
  Result<std::vector<ScalarPoint>> points = store.Scalars(id);
  EXPECT_TRUE(IsOk(points));
  if (points.ok()) {
    for (const ScalarPoint& p : *points) values.push_back(p.value);
  }
  return values;
}

TEST(RocksStore, KeepsRecordsAndMetaAcrossReopen) {
  TempDir tmp;
  {
    std::unique_ptr<RunStore> store = Open(tmp.Sub("store"), StoreMode::kPrimary);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(IsOk(store->Put(FullRecord("b1"))));
    ASSERT_TRUE(IsOk(store->PutMeta("format", "1")));
  }
  std::unique_ptr<RunStore> store = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(store, nullptr);
  Result<RunRecord> got = store->Get("b1");
  ASSERT_TRUE(IsOk(got));
  ExpectSameRecord(FullRecord("b1"), *got);
  EXPECT_EQ(*store->GetMeta("format"), "1");
}

TEST(RocksStore, ContinuesAScalarSeriesInOrderAfterReopen) {
  TempDir tmp;
  for (double first : {1.0, 3.0, 5.0}) {
    std::unique_ptr<RunStore> store = Open(tmp.Sub("store"), StoreMode::kPrimary);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(IsOk(store->AppendScalars("t1", {{"loss", 0, first}})));
    ASSERT_TRUE(IsOk(store->AppendScalars("t1", {{"loss", 0, first + 1}})));
    ASSERT_TRUE(IsOk(store->AppendScalars("t0", {{"loss", 0, -first}})));
  }
  std::unique_ptr<RunStore> store = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Values(*store, "t1"), std::vector<double>({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Values(*store, "t0"), std::vector<double>({-1, -3, -5}));
}

TEST(RocksStore, ASecondPrimaryIsBusyAndNamesTheLock) {
  TempDir tmp;
  std::unique_ptr<RunStore> first = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(first, nullptr);

  Result<std::unique_ptr<RunStore>> second =
      OpenRocksStore(tmp.Sub("store"), StoreMode::kPrimary);
  EXPECT_EQ(second.status().code(), Code::kBusy);
  EXPECT_NE(second.status().message().find("IO error"), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("LOCK"), std::string::npos)
      << second.status().message();
}

TEST(RocksStore, ASecondaryOfAMissingStoreIsNotFound) {
  TempDir tmp;
  Result<std::unique_ptr<RunStore>> store =
      OpenRocksStore(tmp.Sub("nothing"), StoreMode::kSecondary);
  EXPECT_EQ(store.status().code(), Code::kNotFound);
  EXPECT_NE(store.status().message().find("no runs yet"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("nothing")));
}

TEST(RocksStore, ASecondarySeesThePrimarysWritesAfterRefresh) {
  TempDir tmp;
  std::unique_ptr<RunStore> primary = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(primary, nullptr);
  ASSERT_TRUE(IsOk(primary->Put(Trial("t1"))));
  std::unique_ptr<RunStore> reader =
      Open(tmp.Sub("store"), StoreMode::kSecondary, tmp.Sub("reader"));
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->read_only());
  EXPECT_TRUE(IsOk(reader->Get("t1")));

  ASSERT_TRUE(IsOk(primary->Put(FullRecord("b2"))));
  ASSERT_TRUE(IsOk(primary->AppendScalars("b2", {{"loss", 0, 0.25}})));
  ASSERT_TRUE(IsOk(primary->Delete({"t1"})));
  EXPECT_EQ(reader->Get("b2").status().code(), Code::kNotFound);
  EXPECT_TRUE(IsOk(reader->Get("t1")));

  ASSERT_TRUE(IsOk(reader->Refresh()));
  Result<RunRecord> b2 = reader->Get("b2");
  ASSERT_TRUE(IsOk(b2));
  ExpectSameRecord(FullRecord("b2"), *b2);
  EXPECT_EQ(Values(*reader, "b2"), std::vector<double>({0.25}));
  EXPECT_EQ(reader->Get("t1").status().code(), Code::kNotFound);
  EXPECT_EQ(reader->List()->size(), 1u);
}

TEST(RocksStore, WritesOnASecondaryFailWithFailedPrecondition) {
  TempDir tmp;
  std::unique_ptr<RunStore> primary = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(primary, nullptr);
  std::unique_ptr<RunStore> reader = Open(tmp.Sub("store"), StoreMode::kSecondary);
  ASSERT_NE(reader, nullptr);

  EXPECT_EQ(reader->Put(Trial("t1")).code(), Code::kFailedPrecondition);
  EXPECT_EQ(reader->PutMany({Trial("t1")}).code(), Code::kFailedPrecondition);
  EXPECT_EQ(reader->Delete({"t1"}).code(), Code::kFailedPrecondition);
  EXPECT_EQ(reader->AppendScalars("t1", {{"loss", 0, 1.0}}).code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(reader->PutMeta("k", "v").code(), Code::kFailedPrecondition);
  EXPECT_TRUE(IsOk(reader->Sync()));
}

// Points TMPDIR at a folder of its own for the test's lifetime.
class ScopedTmpDir {
 public:
  explicit ScopedTmpDir(const std::string& path) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", path.c_str(), 1);
  }
  ~ScopedTmpDir() {
    if (old_) {
      setenv("TMPDIR", old_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

int CountEntries(const std::string& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(RocksStore, ASecondaryRemovesTheTemporaryFolderItMade) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.Sub("tmp"));
  std::unique_ptr<RunStore> primary = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(primary, nullptr);
  ScopedTmpDir scoped(tmp.Sub("tmp"));

  std::unique_ptr<RunStore> reader = Open(tmp.Sub("store"), StoreMode::kSecondary);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(CountEntries(tmp.Sub("tmp")), 1);
  reader.reset();
  EXPECT_EQ(CountEntries(tmp.Sub("tmp")), 0);
}

TEST(RocksStore, ASecondaryKeepsTheFolderItWasGiven) {
  TempDir tmp;
  std::unique_ptr<RunStore> primary = Open(tmp.Sub("store"), StoreMode::kPrimary);
  ASSERT_NE(primary, nullptr);
  std::unique_ptr<RunStore> reader =
      Open(tmp.Sub("store"), StoreMode::kSecondary, tmp.Sub("reader"));
  ASSERT_NE(reader, nullptr);
  reader.reset();
  EXPECT_TRUE(std::filesystem::is_directory(tmp.Sub("reader")));
}

// The crash test's writer: a child process started from this same binary, which
// writes a trial and its batch in one synced PutMany, then reports the index on a
// pipe, until it is killed.

RunRecord CrashRecord(RunKind kind, int64_t index) {
  char id[32];
  std::snprintf(id, sizeof id, "%c%08lld", kind == RunKind::kBatch ? 'b' : 't',
                static_cast<long long>(index));
  RunRecord r = FullRecord(id);
  r.kind = kind;
  r.trial_index = index;
  r.flags["index"] = FlagValue::Int(index);
  r.reason = "written as number " + std::to_string(index) + std::string(512, '.');
  return r;
}

[[noreturn]] void RunCrashWriter(const char* spec) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char* dir = nullptr;
  int fd = static_cast<int>(std::strtol(spec, &dir, 10));
  Result<std::unique_ptr<RunStore>> store = OpenRocksStore(dir + 1, StoreMode::kPrimary);
  if (!store.ok()) _exit(3);
  for (int64_t i = 0; i < 1000000; ++i) {
    if (!(*store)
             ->PutMany({CrashRecord(RunKind::kTrial, i), CrashRecord(RunKind::kBatch, i)})
             .ok()) {
      _exit(4);
    }
    if (write(fd, &i, sizeof i) != sizeof i) _exit(0);
  }
  _exit(0);
}

[[maybe_unused]] const bool kCrashWriter = [] {
  if (const char* spec = std::getenv(kWriterVariable)) RunCrashWriter(spec);
  return false;
}();

// Starts this binary again as the writer, writing its reports to `report_fd`.
pid_t StartCrashWriter(const std::string& dir, int report_fd) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.push_back(std::string(kWriterVariable) + "=" + std::to_string(report_fd) + ":" +
                dir);
  std::vector<char*> envp;
  for (std::string& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string self = "/proc/self/exe";
  char* argv[] = {self.data(), nullptr};

  pid_t pid = fork();
  if (pid == 0) {
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  return pid;
}

// Reads reported indexes until one reaches `until` or the pipe closes; returns the
// last one (-1 for none).
int64_t ReadReports(int fd, int64_t until, int64_t last) {
  int64_t index = 0;
  while (last < until && read(fd, &index, sizeof index) == sizeof index) last = index;
  return last;
}

TEST(RocksStoreCrash, KeepsEverySyncedRecordWhenItsWriterIsKilled) {
  TempDir tmp;
  std::string dir = tmp.Sub("store");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = StartCrashWriter(dir, fds[1]);
  ASSERT_GT(pid, 0);
  close(fds[1]);
  int64_t reported = ReadReports(fds[0], 100, -1);
  EXPECT_GE(reported, 100);

  // While it writes, a second writer is refused and a reader sees its records.
  Result<std::unique_ptr<RunStore>> second = OpenRocksStore(dir, StoreMode::kPrimary);
  EXPECT_EQ(second.status().code(), Code::kBusy) << second.status().ToString();
  std::unique_ptr<RunStore> reader = Open(dir, StoreMode::kSecondary);
  if (reader != nullptr) {
    EXPECT_TRUE(IsOk(reader->Get("t00000099")));
  }

  // Kill it mid-stream, then count every index it reported before dying.
  kill(pid, SIGKILL);
  reported = ReadReports(fds[0], INT64_MAX, reported);
  close(fds[0]);
  int wait_status = 0;
  ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);

  std::unique_ptr<RunStore> store = Open(dir, StoreMode::kPrimary);
  ASSERT_NE(store, nullptr);
  Result<std::vector<RunRecord>> runs = store->List();
  ASSERT_TRUE(IsOk(runs));
  std::map<int64_t, int> kinds_per_index;
  for (const RunRecord& r : *runs) {
    int64_t index = std::stoll(r.id.substr(1));
    ExpectSameRecord(CrashRecord(r.kind, index), r);
    ++kinds_per_index[index];
  }
  EXPECT_GE(static_cast<int64_t>(kinds_per_index.size()), reported + 1);
  for (const auto& [index, kinds] : kinds_per_index) EXPECT_EQ(kinds, 2) << index;
  for (int64_t i = 0; i <= reported; ++i) EXPECT_EQ(kinds_per_index.count(i), 1u) << i;
}

}  // namespace
}  // namespace salvo
