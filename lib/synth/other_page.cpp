// Distractor pages: the rest of a Common Crawl-like web around the math pages. Every kind
// states numbers (oven temperatures, scores, prices, ratings) and several reuse the words
// of the word problems, so "has digits" or "mentions cookies" does not separate the classes.
#include <algorithm>
#include <array>
#include <span>

#include "synth/page_text.hpp"
#include "synth/text_template.hpp"
#include "synth/word_lists.hpp"

namespace dsmath::synth {

namespace {

using Words = std::span<const std::string_view>;

constexpr std::array<std::string_view, 10> kDishes{"banana bread", "tomato soup",  "apple pie",   "pancakes",
                                                   "chicken curry", "vegetable stew", "lemon cake", "fried rice",
                                                   "oat cookies",  "corn muffins"};
constexpr std::array<std::string_view, 10> kIngredients{"flour", "sugar", "butter", "eggs",   "milk",
                                                        "onions", "garlic", "rice", "olive oil", "cream"};
constexpr std::array<std::string_view, 4> kUnits{"cups of", "tablespoons of", "grams of", "teaspoons of"};
constexpr std::array<std::string_view, 8> kTeams{"Riverside Rovers", "Hill Town United", "Lakeside Lions",
                                                 "North Park Eagles", "Harbor City", "Valley Wolves",
                                                 "Old Mill Rangers", "Westfield Foxes"};
constexpr std::array<std::string_view, 6> kRivals{"Bay Street Bears", "Eastgate Athletic", "Pine Hill Hawks",
                                                 "Southbank Stars", "Mill Lane Owls", "Quarry Town"};
constexpr std::array<std::string_view, 7> kDays{"Monday", "Tuesday", "Wednesday", "Thursday",
                                                "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 8> kCities{"Lisbon", "Kyoto", "Cape Town", "Vancouver",
                                                  "Prague", "Hanoi", "Oslo",      "Lima"};
constexpr std::array<std::string_view, 6> kMonths{"April", "May", "June", "September", "October", "March"};
constexpr std::array<std::string_view, 8> kProducts{"wireless headphones", "coffee maker", "running shoes",
                                                    "desk lamp",           "blender",      "backpack",
                                                    "phone case",          "electric kettle"};
constexpr std::array<std::string_view, 6> kGenres{"comedy", "drama", "thriller", "family film", "mystery",
                                                  "science fiction story"};
constexpr std::array<std::string_view, 8> kFilmTitles{"The Long Road", "Summer Lights", "The Quiet Harbor",
                                                      "Paper Birds",   "Night Train",  "The Last Garden",
                                                      "Blue Mountain", "Second Chances"};
constexpr std::array<std::string_view, 6> kWeather{"sunny", "cloudy", "rainy", "windy", "foggy", "mild"};
constexpr std::array<std::string_view, 4> kDirections{"north", "south", "east", "west"};
constexpr std::array<std::string_view, 6> kGardenPlants{"tomato plants", "roses", "tulips", "carrots",
                                                        "sunflowers",    "pepper plants"};
constexpr std::array<std::string_view, 6> kPlaces{"library", "town hall", "community center", "school gym",
                                                  "old theater", "river park"};
constexpr std::array<std::string_view, 8> kPeople{"Maria Lopez", "James Chen", "Aisha Khan", "Peter Novak",
                                                  "Grace Kim",   "Lucas Silva", "Hannah Berg", "Omar Haddad"};
constexpr std::array<std::string_view, 6> kAdjectives{"great", "lovely", "busy", "quiet", "famous", "friendly"};

constexpr std::array<SlotList, 17> kSlots{{{"dish", kDishes},
                                           {"rival", kRivals},
                                           {"ingredient", kIngredients},
                                           {"unit", kUnits},
                                           {"team", kTeams},
                                           {"day", kDays},
                                           {"city", kCities},
                                           {"month", kMonths},
                                           {"product", kProducts},
                                           {"genre", kGenres},
                                           {"film", kFilmTitles},
                                           {"weather", kWeather},
                                           {"direction", kDirections},
                                           {"plants", kGardenPlants},
                                           {"place", kPlaces},
                                           {"person", kPeople},
                                           {"adjective", kAdjectives}}};

// A kind of page: titles, then sentences drawn in order (a random subset), in paragraphs.
struct OtherKind {
  std::string_view name;
  Words titles;
  Words sentences;
};

constexpr std::array<std::string_view, 4> kRecipeTitles{"{dish} recipe", "{Easy|Quick|Simple} {dish} for busy weeknights",
                                                        "{Grandma's|Our family's|My favorite} {dish}",
                                                        "The best {dish} you will {ever|ever want to} make"};
constexpr std::array<std::string_view, 14> kRecipe{
    "This {dish} is {a family favorite|our go-to dinner|a weekend classic} and a {adjective} way to use {up what is in the kitchen|leftover vegetables|what you have}.",
    "It takes {about|around|less than} {#20-90} minutes {from start to finish|in total|to make} and {serves|feeds} {#2-8} {people|hungry people|guests}.",
    "You will need {#1-4} {unit} {ingredient}, {#1-3} {unit} {ingredient} and {a pinch of salt|some pepper|a little water}.",
    "{Add|Stir in|Use} {#1-5} {unit} {ingredient} if you like it {richer|sweeter|creamier|thicker}.",
    "Preheat the oven to {#160-220} degrees and {grease|line|butter} a {baking tray|large pan|round tin}.",
    "{Chop|Slice|Dice} the {onions|carrots|peppers} and {fry|cook|soften} them in {a little oil|butter|olive oil} until {soft|golden|tender}.",
    "{Mix|Whisk|Combine} the dry ingredients in a {large|big|wide} bowl, then {stir in|fold in|add} the {ingredient} {slowly|gently|bit by bit}.",
    "Bake for {#15-50} minutes, until the top is {brown|golden|firm} and {a knife|a toothpick|a skewer} comes out clean.",
    "Let it {cool|rest|sit} {on the tray|in the pan|on a rack} for {#5-15} minutes before {slicing|serving|cutting}.",
    "{Simmer|Cook|Stew} on {low|gentle|medium} heat for {#10-40} minutes and stir {from time to time|now and then|often}.",
    "Season with {salt and pepper|herbs|lemon juice} to taste, and serve {warm|hot|right away} with {fresh bread|rice|a green salad}.",
    "Leftovers keep in the {fridge|freezer} for {#2-4} {days|weeks}.",
    "My {kids|friends|neighbors|parents} ask for this every {day}, and it {never lasts long|disappears fast|is always gone by night}.",
    "{Leave a comment|Write to us|Tell us below} if you {try it|make it|cook this}, and {tell me|share|let us know} what you changed!"};

constexpr std::array<std::string_view, 3> kSportsTitles{"{team} {beat|edge past|defeat} {rival} in a {close|tense|wild} match",
                                                        "Match report: {team} on {day}",
                                                        "{Weekend|Midweek|Friday night} results from the {city|county|regional} league"};
constexpr std::array<std::string_view, 12> kSports{
    "The {team} {beat|defeated|edged past} the {rival} {#2-5} to {#0-1} on {day} {night|afternoon|evening} in front of a {adjective} crowd.",
    "{person} scored {twice|once|a late goal} in the {second|first} half, {the first|the opener|the best} after {#50-70} minutes.",
    "The coach said the team played with {great|real|fierce} {spirit|energy|focus} after a {slow|shaky|nervous} start.",
    "Fans filled the {stadium|ground|stands} despite the {rain|cold|wind}, and the {noise|singing|cheering} never stopped.",
    "The win moves the club to number {#1-8} in the {league table|standings} with {#10-40} points.",
    "The goalkeeper made {#3-9} saves, including a {brilliant|great|diving} stop {late in the game|in extra time|before the break}.",
    "The next match is on {day} at {#2-8} in the {evening|afternoon} against the {rival}.",
    "Tickets are on sale {now|this week|online} {at the club shop|at the gate|on the website} and cost {#10-40} dollars for adults.",
    "{Injuries|Illness|Suspensions} are a worry: {#2-4} players missed {training|practice} this week.",
    "The {youth|reserve|women's} team also {won|played well in} their game, {#2-6} to {#0-2}.",
    "After the match, {person} thanked the {supporters|fans} who {traveled|came all the way} from {city}.",
    "{Highlights|A full replay|Interviews} will be {shown|posted} on the club website on {day}."};

constexpr std::array<std::string_view, 3> kTravelTitles{"A {weekend|long weekend|few days} in {city}",
                                                        "{city} travel guide for {first timers|families|students}",
                                                        "What to {see|do|eat} in {city} in {month}"};
constexpr std::array<std::string_view, 12> kTravel{
    "{city} is a {adjective} place for a {short|quick|relaxed} trip, with {old|narrow|colorful} streets and {good|great|cheap} food.",
    "The old town is a {short|pleasant|easy} walk from the {main|central} station, about {#5-20} minutes on foot.",
    "We stayed in a {small|cozy|modern} {hotel|guest house|apartment} near the {harbor|park|square} for {#2-7} nights and {loved it|would go back|had no complaints}.",
    "A day ticket for {buses and trams|the metro|the ferry} costs {#3-15} euros and is {worth it|good value|easy to buy}.",
    "The best time to visit is in {month}, when the weather is {weather} and the {crowds|lines|hotels} are {small|short|cheaper}.",
    "Do not miss the {market|flower market|fish market}, which opens at {#6-9} in the morning on {weekdays|Saturdays|most days}.",
    "Try the {street food|local dishes|bakeries}: the {fish soup is|sweet buns are|grilled corn is} {excellent|amazing|the highlight}.",
    "Bring {good|comfortable|sturdy} shoes, because many streets are {steep|uneven|long} and paved with {stones|cobbles|bricks}.",
    "The {museum of art|history museum|castle} is free on {day} and closes at {#5-7} in the evening.",
    "From the {hill|tower|old wall} above the city you can see the {river|sea|lake} and the {adjective} {bridges|rooftops|gardens}.",
    "The {flight|train ride|bus trip} from {city} took about {#2-12} hours.",
    "Next time we want to stay {longer|a full week|in spring} and take the {train|boat|bus} along the {coast|river|valley}."};

constexpr std::array<std::string_view, 3> kReviewTitles{"Review: {product}", "{Are these|Is this} {product} worth it?",
                                                        "My {honest|quick|long-term} opinion of the {product}"};
constexpr std::array<std::string_view, 12> kReview{
    "I bought the {product} {#2-10} {weeks|months} ago and have used it {every day|most days|on every trip} since.",
    "The build quality is {solid|decent|good|a bit cheap} and it feels {well made|sturdy|light} for the {price|money}.",
    "Battery life is about {#5-40} hours, which is {fine|enough|great} for {daily use|my commute|travel}.",
    "Setup took only {a few minutes|five minutes|a moment} and the {instructions were|manual was|app was} {clear|simple|easy to follow}.",
    "The only downside is the price: {#30-250} dollars is {a lot|too much|steep} for what you get.",
    "Customer service answered my {email|call|message} within {#2-5} days and {sent a new cable|fixed the problem|offered a refund}.",
    "It is {lighter|smaller|quieter} than my old one and fits {easily|nicely} in a {bag|drawer|backpack}.",
    "The {color|finish|shape} looks a little different from the {photos|pictures} on the website.",
    "After {a month|two months|a year} it still works like new, with no {scratches|problems|issues}.",
    "My {partner|sister|roommate} {likes|loves|uses} it too, which says a lot.",
    "Overall I would recommend it to {a friend|anyone|a family member} who wants something {simple|reliable|cheap}.",
    "Rating: {#2-5} out of 5 stars."};

constexpr std::array<std::string_view, 2> kWeatherTitles{"Weather forecast for {city}", "{city}: the {week|weekend|days} ahead"};
constexpr std::array<std::string_view, 10> kWeatherText{
    "{Tomorrow|Today|This afternoon} will be {weather} with a high of {#10-32} degrees and a low of {#0-12}.",
    "Winds from the {direction} at {#5-40} km per hour will {ease|drop|calm down} by the {evening|night}.",
    "There is a {#10-90} percent chance of {rain|showers|storms} in the {afternoon|morning|evening}.",
    "The {weekend|week|next day} looks {warmer|cooler|drier}, with {weather} skies on {day}.",
    "Drivers should watch for {fog|ice|heavy rain} in the early {morning|hours} near the {river|coast|hills}.",
    "{Pollen|Dust|Humidity} levels are high, so people with {allergies|asthma} should take care.",
    "A {cold|warm} front arrives on {day} and brings {weather} weather.",
    "Sunrise is at {#5-7} in the morning and sunset at {#6-9} in the evening.",
    "Last month was the {wettest|driest|warmest|coolest} month of the year so far, with {#20-120} mm of rain.",
    "Check back on {day} for the {updated|latest|next} forecast."};

constexpr std::array<std::string_view, 3> kNewsTitles{"Town council {approves|backs|votes for} new {park|library|playground}",
                                                      "New bus line opens on {day}",
                                                      "Volunteers clean up the {river park|beach|old square}"};
constexpr std::array<std::string_view, 12> kNews{
    "The town council voted {#5-9} to {#0-4} on {day} to build a new {park|library|playground} near the {river|school|station}.",
    "The project will cost about {#100-900} thousand dollars and should be {finished|ready|open} {next year|by summer|in two years}.",
    "Work will start in {month}, and some roads will be {closed|narrowed} for {#2-6} weeks.",
    "Residents said they hope the {park|place|new space} will have a {playground|garden|skate area} and a {adjective} cafe.",
    "The mayor, {person}, thanked the volunteers who {cleaned the riverbank|planted trees|painted the benches} last {spring|fall|year}.",
    "A public meeting will be held at the {place} on {day} {evening|afternoon}.",
    "The new bus line runs every {#10-30} minutes from the {station|harbor|market} to the {place}.",
    "Local {shops|cafes|businesses} expect more {visitors|customers} once the work is {done|over|finished}.",
    "{person} has lived in the town for {#10-60} years and {welcomed|praised|questioned} the plan.",
    "Some neighbors worry about {parking|noise|traffic} during the {work|building|construction}.",
    "More details are posted at the {place} and on the {town|council} website.",
    "The council meets again on the first {day} of {month}."};

constexpr std::array<std::string_view, 3> kGardenTitles{"{Spring|Summer|Fall} garden tips", "Growing {plants} at home",
                                                        "What to plant in {month}"};
constexpr std::array<std::string_view, 12> kGarden{
    "Water your {plants} early in the {morning|day}, {before the sun gets hot|while it is cool|before work}.",
    "Plant {bulbs|seeds|seedlings} about {#5-15} cm deep and {#10-20} cm apart in the {fall|spring}.",
    "Most {plants} need at least {#4-8} hours of {sun|light} a day to {do well|grow strong|flower}.",
    "{Add|Mix in|Spread} {compost|manure|leaf mold} {to|into|over} the soil a few weeks before planting.",
    "Pull weeds after {rain|watering}, when the soil is {soft|damp|loose} and the roots come out {easily|whole}.",
    "{plants} grow best in {loose|rich|light} soil that drains {well|quickly}.",
    "Our {neighbor|friend|aunt} grows {plants} {along the fence|by the wall|in big pots}, and they look {adjective}.",
    "Cover {young|new|small} plants on {cold|frosty|windy} nights, especially in {month}.",
    "A {thin|thick} layer of {mulch|straw|bark} keeps the soil {moist|cool} and stops weeds.",
    "Do not water the leaves in the {evening|night}, because that {invites mold|spreads disease|attracts slugs}.",
    "Visit the {garden center|plant fair|market} on {day} for free {advice|seeds|cuttings}.",
    "Share your garden {photos|stories} with us and tell us what {worked|grew well} for you."};

constexpr std::array<std::string_view, 2> kMovieTitles{"Movie review: {film}", "{film} is {worth the ticket|a pleasant surprise|not bad}"};
constexpr std::array<std::string_view, 10> kMovie{
    "{film} is a {genre} about {two friends|a family|an old sailor} who {travel|drive|walk} from {city} to the {sea|mountains|border}.",
    "The film runs {#85-150} minutes, and it {rarely|never|sometimes} feels {slow|long}.",
    "The acting is {strong|warm|convincing}, especially {person} in the {quiet|final|early} scenes.",
    "The {music|soundtrack|score} fits the mood {well|perfectly} and stays with you {after the film|for days}.",
    "The ending felt {rushed|too neat|strange} to me, but {many viewers|the audience|my friends} loved it.",
    "It was filmed in {city} over {#2-9} months.",
    "{Families|Teenagers|Adults} will enjoy it; {younger kids|some viewers} may find it {long|confusing|sad}.",
    "The {cinema|theater} was {full|packed|busy} on {day}, which is a good sign.",
    "If you liked the {director's|studio's} last film, you will like this one too.",
    "I give it {#5-9} out of 10."};

const std::array<OtherKind, 8> kKinds{{{"recipe", kRecipeTitles, kRecipe},
                                       {"sports", kSportsTitles, kSports},
                                       {"travel", kTravelTitles, kTravel},
                                       {"review", kReviewTitles, kReview},
                                       {"weather", kWeatherTitles, kWeatherText},
                                       {"news", kNewsTitles, kNews},
                                       {"garden", kGardenTitles, kGarden},
                                       {"movie", kMovieTitles, kMovie}}};

}  // namespace

const std::vector<std::string_view>& other_page_kinds() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& k : kKinds) out.push_back(k.name);
    return out;
  }();
  return names;
}

PageText other_page(Rng& rng, size_t kind) {
  const OtherKind& k = kKinds[kind % kKinds.size()];
  // A page is about one dish, city, product, film, plant or team: those slots are drawn once.
  constexpr std::array<std::string_view, 6> kPageTopics{"dish", "city", "product", "film", "plants", "team"};
  std::array<std::string_view, kPageTopics.size()> chosen{};
  std::array<SlotList, kSlots.size()> page_slots = kSlots;
  for (auto& slot : page_slots) {
    const auto it = std::find(kPageTopics.begin(), kPageTopics.end(), slot.name);
    if (it == kPageTopics.end()) continue;
    auto& word = chosen[static_cast<size_t>(it - kPageTopics.begin())];
    word = pick(rng, slot.words);
    slot.words = std::span<const std::string_view>(&word, 1);
  }
  const std::span<const SlotList> slots(page_slots);
  PageText page;
  page.title = capitalized(fill_template(rng, k.titles[rng.below(k.titles.size())], slots));
  // each sentence kept with probability 2/3, in order; paragraphs of 2-4 sentences
  std::string body;
  int in_paragraph = 0, paragraph_size = static_cast<int>(uniform_int(rng, 2, 4));
  for (const auto& sentence : k.sentences) {
    if (rng.below(3) == 0) continue;
    if (!body.empty()) body += in_paragraph == 0 ? "\n\n" : " ";
    body += capitalized(fill_template(rng, sentence, slots));
    if (++in_paragraph == paragraph_size) {
      in_paragraph = 0;
      paragraph_size = static_cast<int>(uniform_int(rng, 2, 4));
    }
  }
  if (body.empty()) body = capitalized(fill_template(rng, k.sentences[0], slots));
  page.text = page.title + "\n\n" + body;
  return page;
}

}  // namespace dsmath::synth
