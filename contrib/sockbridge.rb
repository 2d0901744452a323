# Homebrew formula: brew install --build-from-source contrib/sockbridge.rb
# Builds a release tag with the one Makefile (clang, kqueue backend).
# homepage, url and sha256 are placeholders: set them to the real
# repository and the tag being released.
class Sockbridge < Formula
  desc "Relay, echo, benchmark and diagnose UNIX domain sockets"
  homepage "https://github.com/sockbridge/sockbridge"
  url "https://github.com/sockbridge/sockbridge/archive/refs/tags/v0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  head "https://github.com/sockbridge/sockbridge.git", branch: "main"

  def install
    system "make", "CC=#{ENV.cc}", "DEFS=-D_DARWIN_C_SOURCE",
           "install", "PREFIX=#{prefix}"
  end

  test do
    assert_match "usage: sockbridge", shell_output("#{bin}/sockbridge --help 2>&1")
    sock = testpath/"echo.sock"
    pid = spawn bin/"sockbridge", "echo", "unix:#{sock}"
    50.times { break if sock.exist?; sleep 0.1 }
    assert_predicate sock, :exist?
    Process.kill("TERM", pid)
    Process.wait(pid)
  end
end
