# Every dependency is a Debian bookworm package installed by `./emis deps`.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++ rdkafka)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json REQUIRED)
# fmt must be found before restinio, whose config expects the fmt target.
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(restinio REQUIRED)
find_package(CLI11 REQUIRED)

# SOCI and libphonenumber ship no CMake or pkg-config files.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# SOCI with both engines the services run on: SQLite and PostgreSQL.
add_library(soci_backends INTERFACE)
target_include_directories(soci_backends INTERFACE ${SOCI_INCLUDE_DIR})
target_link_libraries(soci_backends INTERFACE ${SOCI_SQLITE3_LIBRARY} ${SOCI_POSTGRESQL_LIBRARY} ${SOCI_CORE_LIBRARY}
                                                sqlite3 PkgConfig::LIBPQ ${CMAKE_DL_LIBS})

find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
add_library(phonenumber INTERFACE)
target_include_directories(phonenumber INTERFACE ${PHONENUMBER_INCLUDE_DIR})
target_link_libraries(phonenumber INTERFACE ${PHONENUMBER_LIBRARY})

# The services allocate with jemalloc: under a load of teacher POSTs,
# glibc's malloc and free took about a sixth of each service's CPU (its
# arenas' locks and consolidation), and with jemalloc each teacher cost
# 8-26% less CPU in both services, in runs side by side (bench/teachers.sh).
# The sanitizers bring an allocator of their own.
add_library(service_allocator INTERFACE)
if(NOT EMIS_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  target_link_libraries(service_allocator INTERFACE PkgConfig::JEMALLOC)
endif()
