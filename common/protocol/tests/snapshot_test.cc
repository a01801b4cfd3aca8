#include "common/protocol/snapshot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/protocol/tests/test_files.h"

namespace salvo::proto {
namespace {
namespace fs = std::filesystem;

using test_files::ReadFile;
using test_files::TempDir;
using test_files::WriteFile;

TEST(Snapshot, ReadsRegularFilesSortedWithRelativePaths) {
  TempDir dir;
  WriteFile(dir / "train.py", "print('hi')\n");
  WriteFile(dir / "pkg/b.py", "b");
  WriteFile(dir / "pkg/a.py", "a");
  fs::permissions(dir / "train.py", fs::perms(0755));
  fs::create_symlink(dir / "train.py", dir / "link.py");
  fs::create_directories(dir / "empty");

  auto files = ReadSnapshotDir(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "pkg/a.py");
  EXPECT_EQ((*files)[0].data, "a");
  EXPECT_EQ((*files)[1].path, "pkg/b.py");
  EXPECT_EQ((*files)[2].path, "train.py");
  EXPECT_EQ((*files)[2].mode, 0755);
  EXPECT_EQ((*files)[2].data, "print('hi')\n");

  EXPECT_FALSE(ReadSnapshotDir(dir / "missing").ok());
}

TEST(Snapshot, HashIsStableAndSensitiveToPathModeAndContent) {
  std::vector<SnapshotFile> files = {{"a.py", 0644, "x = 1\n"}, {"b/c.py", 0644, "y"}};
  std::string hash = HashSnapshot(files);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(HashSnapshot(files), hash);
  EXPECT_EQ(HashSnapshot({files[1], files[0]}), hash);  // order given does not matter

  auto changed = files;
  changed[0].data = "x = 2\n";
  EXPECT_NE(HashSnapshot(changed), hash);
  changed = files;
  changed[1].path = "b/d.py";
  EXPECT_NE(HashSnapshot(changed), hash);
  changed = files;
  changed[0].mode = 0755;
  EXPECT_NE(HashSnapshot(changed), hash);
  // Moving bytes between a path and its data changes the hash too.
  EXPECT_NE(HashSnapshot({{"ab", 0644, "c"}}), HashSnapshot({{"a", 0644, "bc"}}));
  EXPECT_NE(HashSnapshot({}), hash);
}

TEST(Snapshot, WritesFilesBackWithTheirModes) {
  TempDir src, dst;
  WriteFile(src / "train.py", "print(1)\n");
  WriteFile(src / "conf/x.yml", "a: 1\n");
  fs::permissions(src / "train.py", fs::perms(0750));
  auto files = ReadSnapshotDir(src.path());
  ASSERT_TRUE(files.ok());

  Status s = WriteSnapshot(dst / "copy", *files);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ReadFile(dst / "copy/train.py"), "print(1)\n");
  EXPECT_EQ(ReadFile(dst / "copy/conf/x.yml"), "a: 1\n");
  struct stat st;
  ASSERT_EQ(stat((dst / "copy/train.py").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
  auto again = ReadSnapshotDir(dst / "copy");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(HashSnapshot(*again), HashSnapshot(*files));
}

TEST(Snapshot, RejectsUnsafePathsAndWritesNothing) {
  for (const char* bad : {"/etc/passwd", "../x", "a/../../x", "a/..", "./a", "a//b", "a/",
                          "", "a\\..\\b"}) {
    EXPECT_EQ(CheckSnapshotPath(bad).code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(CheckSnapshotPath(std::string("a\0b", 3)).code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckSnapshotPath("a/b.c/..d").ok());
  EXPECT_TRUE(CheckSnapshotPath(".hidden/x").ok());

  TempDir dir;
  Status s =
      WriteSnapshot(dir / "out", {{"ok.txt", 0644, "fine"}, {"../evil", 0644, "x"}});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("../evil"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out/ok.txt"));
  EXPECT_FALSE(fs::exists(dir / "evil"));
}

}  // namespace
}  // namespace salvo::proto
