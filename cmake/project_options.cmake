# Shared warning and sanitizer settings, applied to every project target through
# two interface libraries so that no target can forget them.
add_library(helpdesk_warnings INTERFACE)
target_compile_options(helpdesk_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough -Wno-missing-field-initializers
  # libpqxx 6.4 and Boost 1.74 headers trip these; they are not ours to fix.
  -Wno-deprecated-declarations)

add_library(helpdesk_options INTERFACE)
target_compile_definitions(helpdesk_options INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
if(HELPDESK_SANITIZE)
  target_compile_options(helpdesk_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(helpdesk_options INTERFACE -fsanitize=address,undefined)
endif()

function(helpdesk_module name)
  target_link_libraries(${name} PUBLIC helpdesk_options PRIVATE helpdesk_warnings)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
endfunction()
