#pragma once
// Helpers shared by integration and end-to-end tests.

#include <string>
#include <vector>

namespace rtpipe::testing {

/// The value of a required environment variable (set by CTest); fails the test when missing, so a
/// test that needs an engine can never pass by skipping.
std::string RequiredEnv(const char* name);

/// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Runs `argv` (argv[0] is a path), waits, and returns its exit code; stdout and stderr are
/// captured into `output` when given.
int RunProcess(const std::vector<std::string>& argv, std::string* output = nullptr, const std::string& cwd = "");

/// Starts `argv` in the background with stdout and stderr appended to `log_path`; returns its pid.
int SpawnProcess(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log_path);

/// Waits for `pid` and returns its exit code (128 + signal when killed).
int WaitProcess(int pid);

/// True while `pid` (a child of this process) has not exited.
bool ProcessRunning(int pid);

/// The whole content of a file ("" when missing).
std::string ReadFile(const std::string& path);

/// A free TCP port on 127.0.0.1.
int FreePort();

}  // namespace rtpipe::testing
