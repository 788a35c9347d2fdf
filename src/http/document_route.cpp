#include "http/document_route.hpp"

#include <memory>

namespace emis::http {

void add_document_route(Server& server, const std::string& path, std::string_view body,
                        std::string content_type, std::vector<std::pair<std::string, std::string>> headers) {
  auto document = std::make_shared<const std::string>(body);
  server.route(
      Method::get, path,
      [document = std::move(document), content_type = std::move(content_type),
       headers = std::move(headers)](const Request&) {
        auto response = Response::text(200, *document, content_type);
        response.headers = headers;
        return response;
      },
      Dispatch::inline_io);
}

}  // namespace emis::http
