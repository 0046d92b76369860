#pragma once
// One place for the Asio/Beast includes and aliases. <utility> must precede
// Asio on g++ 12 with Boost 1.74, or std::exchange is missing in its headers.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace helpdesk {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
template <class T = void>
using awaitable = boost::asio::awaitable<T>;
}  // namespace helpdesk
