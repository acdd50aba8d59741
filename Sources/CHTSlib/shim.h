#ifndef CKS_CHTSLIB_SHIM_H
#define CKS_CHTSLIB_SHIM_H
#include <stdlib.h>
#include <htslib/hts.h>
#include <htslib/faidx.h>
#include <htslib/kstring.h>
#include <htslib/hts_log.h>
#include <htslib/bgzf.h>
#endif
