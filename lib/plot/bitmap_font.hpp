#pragma once
// A 5x8 bitmap font for chart text (printable ASCII), defined in bitmap_font.cpp as pictures
// of '#' and '.' so that a glyph can be read and fixed by eye. Rows 0-6 hold capitals, digits
// and the x-height letters; row 7 holds the descenders of g, j, p, q, y and of ',' and ';'.
#include <array>
#include <cstdint>

namespace dsmath::plot {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 8;
inline constexpr int kGlyphAdvance = kGlyphWidth + 1;  // one blank column between letters

// Bit (kGlyphWidth - 1 - x) of row y is set where the glyph has ink. Characters outside
// printable ASCII get the glyph of '?'.
const std::array<uint8_t, kGlyphHeight>& glyph(char c);

}  // namespace dsmath::plot
