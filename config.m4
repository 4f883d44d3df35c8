dnl PayLock: Redis and flock locks with idempotency guards.
PHP_ARG_ENABLE([paylock],
  [whether to enable PayLock support],
  [AS_HELP_STRING([--enable-paylock], [Enable PayLock support])],
  [no])

PHP_ARG_WITH([hiredis],
  [for the hiredis library],
  [AS_HELP_STRING([[--with-hiredis[=DIR]]], [PayLock: hiredis install prefix (default: pkg-config)])],
  [yes], [no])

PHP_ARG_ENABLE([paylock-dev],
  [whether to build PayLock with strict developer warnings],
  [AS_HELP_STRING([--enable-paylock-dev], [PayLock: -Wall -Wextra -Werror and friends])],
  [no], [no])

if test "$PHP_PAYLOCK" != "no"; then
  AC_MSG_CHECKING([PHP version])
  if test -z "$PHP_VERSION_ID" && test -n "$PHP_CONFIG"; then
    PHP_VERSION_ID=`$PHP_CONFIG --vernum`
  fi
  if test -n "$PHP_VERSION_ID" && test "$PHP_VERSION_ID" -lt 80200; then
    AC_MSG_ERROR([PayLock needs PHP 8.2 or newer])
  fi
  AC_MSG_RESULT([$PHP_VERSION_ID])

  if test "$PHP_HIREDIS" != "yes" && test "$PHP_HIREDIS" != "no"; then
    dnl An explicit prefix wins over the system copy.
    export PKG_CONFIG_PATH="$PHP_HIREDIS/$PHP_LIBDIR/pkgconfig:$PHP_HIREDIS/lib/pkgconfig:$PKG_CONFIG_PATH"
  fi
  PKG_CHECK_MODULES([HIREDIS], [hiredis >= 0.14], [], [
    if test "$PHP_HIREDIS" != "yes" && test -r "$PHP_HIREDIS/include/hiredis/hiredis.h"; then
      HIREDIS_CFLAGS="-I$PHP_HIREDIS/include/hiredis"
      HIREDIS_LIBS="-L$PHP_HIREDIS/$PHP_LIBDIR -lhiredis"
    else
      AC_MSG_ERROR([hiredis >= 0.14 not found: install libhiredis-dev or pass --with-hiredis=DIR])
    fi
  ])
  PHP_EVAL_INCLINE([$HIREDIS_CFLAGS])
  PHP_EVAL_LIBLINE([$HIREDIS_LIBS], [PAYLOCK_SHARED_LIBADD])

  dnl The .pc file names either the include dir or its parent: probe the spelling.
  old_CPPFLAGS=$CPPFLAGS
  CPPFLAGS="$CPPFLAGS $HIREDIS_CFLAGS"
  AC_CHECK_HEADERS([hiredis.h hiredis/hiredis.h], [break])
  CPPFLAGS=$old_CPPFLAGS
  if test "$ac_cv_header_hiredis_h" != "yes" && test "$ac_cv_header_hiredis_hiredis_h" != "yes"; then
    AC_MSG_ERROR([hiredis.h not found])
  fi

  dnl TLS (rediss://) is not implemented yet: Debian 12 ships hiredis 0.14 without hiredis_ssl, so the
  dnl path could not be built or tested. rediss:// throws a ConnectionException saying so.

  PAYLOCK_CFLAGS="$HIREDIS_CFLAGS -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1"
  if test "$PHP_PAYLOCK_DEV" != "no"; then
    PAYLOCK_CFLAGS="$PAYLOCK_CFLAGS -Wall -Wextra -Werror -Wformat-security -Wimplicit-fallthrough -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare"
  fi

  PAYLOCK_SOURCES="ext/paylock.c ext/exceptions.c ext/token.c ext/store.c ext/redis_conn.c ext/redis_durability.c ext/redis_store.c ext/file_store.c ext/fs_trust.c ext/fs_sweep.c ext/fs_util.c ext/deadline.c ext/fallback_store.c ext/store_kinds.c ext/lock.c ext/registry.c ext/codec.c ext/redis_idem.c ext/file_idem.c ext/idempotency.c ext/metrics.c ext/metrics_file.c ext/events.c"
  PHP_NEW_EXTENSION([paylock], [$PAYLOCK_SOURCES], [$ext_shared], , [$PAYLOCK_CFLAGS])
  PHP_ADD_BUILD_DIR(PHP_EXT_BUILDDIR(paylock)[/ext])
  PHP_ADD_INCLUDE(PHP_EXT_SRCDIR(paylock)[/stubs])
  PHP_SUBST([PAYLOCK_SHARED_LIBADD])
fi
