#include "dist/communicator.hpp"
