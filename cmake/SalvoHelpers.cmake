# salvo_library(NAME DIR LINKS...): a static library of every .cc in DIR (tests excluded).
function(salvo_library name dir)
  file(GLOB srcs CONFIGURE_DEPENDS ${dir}/*.cc)
  if(NOT srcs)
    # Nothing built here yet: an interface target keeps dependents linking.
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${SALVO_ROOT})
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${SALVO_ROOT})
  target_link_libraries(${name} ${ARGN})
endfunction()

# salvo_tests(NAME DIR LINKS...): one GoogleTest binary of every *_test.cc in DIR.
function(salvo_tests name dir)
  if(NOT SALVO_TESTS)
    return()
  endif()
  file(GLOB srcs CONFIGURE_DEPENDS ${dir}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${name} ${srcs})
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "SALVO_SOURCE_DIR=${SALVO_ROOT};SALVO_BINARY_DIR=${CMAKE_BINARY_DIR}")
endfunction()
