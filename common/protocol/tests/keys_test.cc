#include "common/protocol/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>


#include "common/protocol/tests/test_files.h"

namespace salvo::proto {
namespace {

using test_files::TempDir;
using test_files::WriteFile;

TEST(Keys, SavesAndLoadsAKeyPair) {
  TempDir dir;
  auto keys = GenerateKeyPair();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_TRUE(IsZ85Key(keys->public_key));
  EXPECT_TRUE(IsZ85Key(keys->secret_key));
  ASSERT_TRUE(SaveKeyPair(dir / "agent1", *keys).ok());

  struct stat st;
  ASSERT_EQ(stat((dir / "agent1.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadKeyPair(dir / "agent1.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->public_key, keys->public_key);
  EXPECT_EQ(loaded->secret_key, keys->secret_key);
  EXPECT_EQ(*LoadPublicKey(dir / "agent1.pub"), keys->public_key);
  EXPECT_EQ(*LoadPublicKey(dir / "agent1.key"), keys->public_key);

  EXPECT_EQ(SaveKeyPair(dir / "agent1", *keys).code(), Code::kAlreadyExists);
}

TEST(Keys, RejectsBadFilesWithOneLine) {
  TempDir dir;
  WriteFile(dir / "bad.key", "public-key: nonsense\nsecret-key: also\n");
  auto pair = LoadKeyPair(dir / "bad.key");
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.status().message().find('\n'), std::string::npos);
  EXPECT_NE(pair.status().message().find("bad.key"), std::string::npos);

  WriteFile(dir / "bad.pub", std::string(40, '"') + "\n");  // '"' is not Z85
  EXPECT_EQ(LoadPublicKey(dir / "bad.pub").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LoadPublicKey(dir / "none.pub").status().code(), Code::kNotFound);

  auto a = GenerateKeyPair(), b = GenerateKeyPair();
  WriteFile(dir / "allow", "# agents\n" + a->public_key + "\n\n" + b->public_key + "\n");
  auto list = LoadPublicKeys(dir / "allow");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{a->public_key, b->public_key}));
  EXPECT_FALSE(LoadPublicKey(dir / "allow").ok());  // two keys, not one
}

}  // namespace
}  // namespace salvo::proto
