# Homebrew formula: brew install --build-from-source contrib/sockbridge.rb
# (or --HEAD for the git tree). Builds with the one Makefile: clang, the
# kqueue loop backend, "make install PREFIX=...".
#
# What has and has not run. brew has never run this file, and no Mac has
# built it: the development machine is Linux (Debian 12) with no Mac.
# Run there: "make dist" and "make install PREFIX=... DESTDIR=..." from
# the unpacked tarball; contrib/update-formula on a copy of this file;
# "ruby -c"; and the test block below, in plain Ruby 3.1 with stand-ins
# for Homebrew's DSL, against the Linux binary (it passed, and failed
# against a relay that dropped bytes). The macOS binary was only
# cross-compiled (make cross-macos).
#
# There is no public release yet: homepage, url, sha256 and head are
# placeholders. To release: tag vX.Y.Z, "make dist DIST_REF=vX.Y.Z",
# publish build/sockbridge-X.Y.Z.tar.gz, then
# "contrib/update-formula build/sockbridge-X.Y.Z.tar.gz URL".
class Sockbridge < Formula
  desc "Relay, echo, benchmark and diagnose UNIX domain sockets"
  homepage "https://github.com/sockbridge/sockbridge"
  url "https://github.com/sockbridge/sockbridge/releases/download/v0.1.0/sockbridge-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  head "https://github.com/sockbridge/sockbridge.git", branch: "main"

  def install
    system "make", "CC=#{ENV.cc}", "DEFS=-D_DARWIN_C_SOURCE",
           "install", "PREFIX=#{prefix}"
  end

  # A real relay: 1 MiB of random bytes through "relay" in front of
  # "echo", both on unix sockets, must come back byte for byte.
  test do
    require "socket"
    sb = (bin/"sockbridge").to_s
    assert_match "sockbridge", shell_output("#{sb} --version")
    echo = testpath/"echo.sock"
    relay = testpath/"relay.sock"
    pids = [spawn(sb, "echo", "unix:#{echo}")]
    100.times { break if echo.socket?; sleep 0.1 }
    assert_predicate echo, :socket?
    pids << spawn(sb, "relay", "unix:#{relay}", "unix:#{echo}")
    100.times { break if relay.socket?; sleep 0.1 }
    assert_predicate relay, :socket?

    data = Random.new(42).bytes(1 << 20)
    got = UNIXSocket.open(relay.to_s) do |s|
      writer = Thread.new do
        s.write(data)
        s.close_write
      end
      back = s.read
      writer.join
      back
    end
    assert_equal data.bytesize, got.bytesize
    assert data == got, "the echo through the relay differs from what was sent"
  ensure
    pids&.each do |pid|
      Process.kill("TERM", pid)
      Process.wait(pid)
    rescue Errno::ESRCH, Errno::ECHILD
      nil
    end
  end
end
