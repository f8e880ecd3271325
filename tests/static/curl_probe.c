/* vmcap-curl-probe: built by the static configuration (cmake/Static.cmake) from the same
 * vmcap::curl that vmcap links, to show what that libcurl can do.
 *
 *   vmcap-curl-probe              prints "version ...", "ssl ...", "protocols ...",
 *                                 "features ..." lines (lower case, space separated)
 *   vmcap-curl-probe URL          fetches URL to standard output; exit 0 on success,
 *                                 1 with curl's error on standard error otherwise
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static void print_features(const curl_version_info_data* info) {
  static const struct {
    int bit;
    const char* name;
  } known[] = {
      {CURL_VERSION_IPV6, "ipv6"},         {CURL_VERSION_SSL, "ssl"},
      {CURL_VERSION_LIBZ, "libz"},         {CURL_VERSION_ASYNCHDNS, "asynchdns"},
      {CURL_VERSION_LARGEFILE, "largefile"}, {CURL_VERSION_UNIX_SOCKETS, "unixsockets"},
      {CURL_VERSION_HTTPS_PROXY, "https-proxy"}, {CURL_VERSION_ZSTD, "zstd"},
      {CURL_VERSION_THREADSAFE, "threadsafe"}, {CURL_VERSION_HTTP2, "http2"},
      {CURL_VERSION_IDN, "idn"},           {CURL_VERSION_GSSAPI, "gssapi"},
      {CURL_VERSION_PSL, "psl"},           {CURL_VERSION_BROTLI, "brotli"},
  };
  printf("features");
  for (size_t i = 0; i < sizeof known / sizeof known[0]; ++i)
    if (info->features & known[i].bit) printf(" %s", known[i].name);
  printf("\n");
}

static int fetch(const char* url) {
  CURL* curl = curl_easy_init();
  if (!curl) {
    fprintf(stderr, "curl_easy_init failed\n");
    return 1;
  }
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    fprintf(stderr, "vmcap-curl-probe: %s: %s\n", curl_easy_strerror(rc), error);
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "curl_global_init failed\n");
    return 1;
  }
  int status = 0;
  if (argc > 1) {
    status = fetch(argv[1]);
  } else {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    printf("version %s\n", info->version);
    printf("ssl %s\n", info->ssl_version ? info->ssl_version : "none");
    printf("resolver %s\n", info->ares ? info->ares : "system");
    printf("libssh %s\n", info->libssh_version ? info->libssh_version : "none");
    printf("protocols");
    for (const char* const* p = info->protocols; *p; ++p) printf(" %s", *p);
    printf("\n");
    print_features(info);
  }
  curl_global_cleanup();
  return status;
}
