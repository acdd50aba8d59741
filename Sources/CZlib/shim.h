#ifndef CKS_CZLIB_SHIM_H
#define CKS_CZLIB_SHIM_H
#include <zlib.h>
#endif
