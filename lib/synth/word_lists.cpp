#include "synth/word_lists.hpp"

#include <array>

namespace dsmath::synth {

namespace {

constexpr std::array<std::string_view, 24> kNameList{
    "Tom", "Mia", "Sam", "Ana", "Ben", "Lily", "Max", "Zoe", "Leo", "Emma", "Jack", "Nora",
    "Omar", "Ivy", "Raj", "Kim", "Eva", "Dan", "Lucy", "Noah", "Sara", "Paul", "Nina", "Hugo"};

constexpr std::array<std::string_view, 8> kRelativeList{"mother", "father", "aunt",   "uncle",
                                                        "grandmother", "grandfather", "teacher", "coach"};

constexpr std::array<Noun, 12> kCollectibleList{{{"apple", "apples"},
                                                 {"sticker", "stickers"},
                                                 {"marble", "marbles"},
                                                 {"card", "cards"},
                                                 {"shell", "shells"},
                                                 {"stamp", "stamps"},
                                                 {"coin", "coins"},
                                                 {"balloon", "balloons"},
                                                 {"bead", "beads"},
                                                 {"toy car", "toy cars"},
                                                 {"pebble", "pebbles"},
                                                 {"feather", "feathers"}}};

constexpr std::array<Noun, 8> kBakedList{{{"cookie", "cookies"},
                                          {"muffin", "muffins"},
                                          {"cupcake", "cupcakes"},
                                          {"roll", "rolls"},
                                          {"brownie", "brownies"},
                                          {"tart", "tarts"},
                                          {"pie", "pies"},
                                          {"bun", "buns"}}};

constexpr std::array<Noun, 12> kShopList{{{"notebook", "notebooks"},
                                          {"pen", "pens"},
                                          {"ball", "balls"},
                                          {"toy", "toys"},
                                          {"shirt", "shirts"},
                                          {"cup", "cups"},
                                          {"kite", "kites"},
                                          {"puzzle", "puzzles"},
                                          {"hat", "hats"},
                                          {"book", "books"},
                                          {"lamp", "lamps"},
                                          {"bag", "bags"}}};

constexpr std::array<Noun, 8> kPlantList{{{"tomato plant", "tomato plants"},
                                          {"rose", "roses"},
                                          {"tree", "trees"},
                                          {"tulip", "tulips"},
                                          {"carrot", "carrots"},
                                          {"bean plant", "bean plants"},
                                          {"sunflower", "sunflowers"},
                                          {"pepper plant", "pepper plants"}}};

constexpr std::array<Noun, 6> kClassroomList{{{"pencil", "pencils"},
                                              {"book", "books"},
                                              {"crayon", "crayons"},
                                              {"eraser", "erasers"},
                                              {"sheet of paper", "sheets of paper"},
                                              {"marker", "markers"}}};

constexpr std::array<std::string_view, 6> kVehicleList{"train", "bus", "truck", "car", "boat", "van"};

constexpr std::array<std::string_view, 3> kTimeUnitList{"week", "day", "hour"};

}  // namespace

const std::span<const std::string_view> kPersonNames{kNameList};
const std::span<const std::string_view> kRelatives{kRelativeList};
const std::span<const Noun> kCollectibles{kCollectibleList};
const std::span<const Noun> kBakedGoods{kBakedList};
const std::span<const Noun> kShopItems{kShopList};
const std::span<const Noun> kPlants{kPlantList};
const std::span<const Noun> kClassroomItems{kClassroomList};
const std::span<const std::string_view> kVehicles{kVehicleList};
const std::span<const std::string_view> kTimeUnits{kTimeUnitList};

}  // namespace dsmath::synth
