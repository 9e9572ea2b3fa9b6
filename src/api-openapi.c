/* The OpenAPI 3.1 document of the HTTP API, served at /v1/openapi.json. */
#include "api-int.h"

const char api_openapi_json[] = "{\"openapi\":\"3.1.0\"}\n";
