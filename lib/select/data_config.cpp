#include "select/data_config.hpp"

#include <omp.h>

#include "core/error.hpp"

namespace dsmath::select {

void DataConfig::validate() const {
  if (decontamination.short_min_words >= decontamination.ngram)
    fail_hint("make it smaller than decontamination.ngram", "decontamination.short_min_words ({}) must be < ngram ({})",
              decontamination.short_min_words, decontamination.ngram);
}

int DataConfig::resolved_threads() const { return threads > 0 ? threads : omp_get_num_procs(); }

}  // namespace dsmath::select
