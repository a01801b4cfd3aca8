#pragma once
// The files of the web page, embedded in the binary at build time: the page itself
// (web/index.html, view.css, view.js) and the plotting library it loads (ECharts,
// installed from npm by the build). Immutable; safe from any thread.

#include <string_view>

namespace salvo {

struct Asset {
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path` ("/", "/view.js", "/echarts.min.js", ...), or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace salvo
