#include "coordinator/view/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <memory>

namespace salvo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(30);

// One client connection: read a request, answer it, repeat while it keeps alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpServerOptions& options)
      : stream_(std::move(socket)), options_(options) {}

  void Start() { Read(); }

 private:
  void Read() {
    request_ = {};
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    if (ec) return;  // a timeout or a client that went away: nothing to answer

    response_ = Answer();
    bool keep_alive = response_.keep_alive();
    http::async_write(
        stream_, response_,
        [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
          self->OnWrite(ec, keep_alive);
        });
  }

  http::response<http::string_body> Answer() {
    http::response<http::string_body> res;
    res.version(request_.version());
    res.keep_alive(request_.keep_alive());
    res.set(http::field::server, "salvo");
    res.set(http::field::cache_control, "no-store");

    auto method = request_.method();
    if (method != http::verb::get && method != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "only GET and HEAD\n";
      res.prepare_payload();
      return res;
    }

    std::string_view target(request_.target().data(), request_.target().size());
    HttpReply reply = options_.handler(target);
    spdlog::debug("view: {} {} -> {}", std::string(request_.method_string()),
                  std::string(target), reply.status);
    res.result(static_cast<http::status>(reply.status));
    res.set(http::field::content_type, reply.content_type);
    res.body() = std::move(reply.body);
    res.prepare_payload();
    if (method == http::verb::head) res.body().clear();  // the length stays
    return res;
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    if (ec) return;
    if (!keep_alive) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    Read();
  }

  beast::tcp_stream stream_;
  const HttpServerOptions& options_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void Accept(tcp::acceptor& acceptor, const HttpServerOptions& options) {
  acceptor.async_accept([&acceptor, &options](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket), options)->Start();
    if (acceptor.is_open()) Accept(acceptor, options);
  });
}

std::string Url(const tcp::endpoint& endpoint) {
  asio::ip::address address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(endpoint.port()) + "/";
}

}  // namespace

Status ServeHttp(const HttpServerOptions& options) {
  beast::error_code ec;
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec)
    return Status::Invalid("invalid --host '" + options.host + "': not an IP address");

  asio::io_context io;
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  tcp::acceptor acceptor(io);
  std::string where = "port " + std::to_string(options.port) + " on " + options.host;
  if (acceptor.open(endpoint.protocol(), ec); ec)
    return Status::IoError("cannot serve on " + where + ": " + ec.message());
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) {
    if (ec == asio::error::address_in_use) return Status::Busy(where + " is in use");
    return Status::IoError("cannot serve on " + where + ": " + ec.message());
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    return Status::IoError("cannot listen on " + where + ": " + ec.message());

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int signal) {
    spdlog::info("view: stopping (signal {})", signal);
    acceptor.close();
    io.stop();
  });

  if (options.on_listening) options.on_listening(Url(acceptor.local_endpoint()));
  Accept(acceptor, options);
  io.run();
  return Status::Ok();
}

}  // namespace salvo
