#include "coordinator/view/assets.h"

#include <array>

// Each file becomes a read-only byte array between two symbols. The paths come from
// coordinator/view/CMakeLists.txt.
// clang-format off
#define SALVO_EMBED(symbol, path)                                            \
  asm(".section .rodata\n"                                                   \
      ".balign 16\n"                                                         \
      ".local " #symbol "\n" #symbol ":\n"                                   \
      ".incbin \"" path "\"\n"                                               \
      ".local " #symbol "_end\n" #symbol "_end:\n"                           \
      ".byte 0\n"                                                            \
      ".previous\n");                                                        \
  extern "C" const char symbol[];                                            \
  extern "C" const char symbol##_end[]
// clang-format on

SALVO_EMBED(salvo_view_index_html, SALVO_VIEW_WEB "/index.html");
SALVO_EMBED(salvo_view_css, SALVO_VIEW_WEB "/view.css");
SALVO_EMBED(salvo_view_js, SALVO_VIEW_WEB "/view.js");
SALVO_EMBED(salvo_view_echarts_js, SALVO_ECHARTS_JS);

namespace salvo {
namespace {

std::string_view Bytes(const char* begin, const char* end) {
  return std::string_view(begin, static_cast<size_t>(end - begin));
}

struct Route {
  std::string_view path;
  Asset asset;
};

const std::array<Route, 4>& Routes() {
  static const std::array<Route, 4> routes = {{
      {"/",
       {"text/html; charset=utf-8",
        Bytes(salvo_view_index_html, salvo_view_index_html_end)}},
      {"/view.css",
       {"text/css; charset=utf-8", Bytes(salvo_view_css, salvo_view_css_end)}},
      {"/view.js",
       {"text/javascript; charset=utf-8", Bytes(salvo_view_js, salvo_view_js_end)}},
      {"/echarts.min.js",
       {"text/javascript; charset=utf-8",
        Bytes(salvo_view_echarts_js, salvo_view_echarts_js_end)}},
  }};
  return routes;
}

}  // namespace

const Asset* FindAsset(std::string_view path) {
  if (path == "/index.html") path = "/";
  for (const Route& route : Routes())
    if (route.path == path) return &route.asset;
  return nullptr;
}

}  // namespace salvo
