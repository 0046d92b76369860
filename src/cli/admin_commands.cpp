// Commands that run once and exit: migrate, seed-demo, token create. They use
// a plain connection; there is no event loop to protect here.
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <iostream>

#include "helpdesk/app/directory_service.hpp"
#include "helpdesk/cli/commands.hpp"
#include "helpdesk/domain/ids.hpp"
#include "helpdesk/security/password.hpp"
#include "helpdesk/store/migrations.hpp"
#include "helpdesk/store/repositories.hpp"
#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/sla_repos.hpp"

namespace helpdesk::cli {
namespace {

void prepare_all(pqxx::connection_base& c) {
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
}

struct demo_agent {
  const char* name;
  const char* email;
  role r;
  const char* password;
  std::vector<std::pair<int, brand_membership>> brands;  // index into demo brands
  std::vector<routing::agent_language> languages;
  std::vector<std::string> skills;
};

}  // namespace

int run_migrate(const config& cfg) {
  try {
    pqxx::connection c(cfg.database_url);
    auto applied = store::apply_migrations(c, [](const std::string& line) { std::cout << line << "\n"; });
    auto status = store::read_migration_status(c);
    std::cout << "schema at version " << status.current << " (" << applied.size() << " applied now)" << std::endl;
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "helpdesk migrate: " << ex.what() << std::endl;
    return 1;
  }
}

int run_token_create(const config& cfg, const std::map<std::string, std::string>& flags) {
  auto get = [&](const char* k) {
    auto it = flags.find(k);
    return it == flags.end() ? std::string() : it->second;
  };
  auto r = parse_role(get("role"));
  if (!r) {
    std::cerr << "helpdesk token create: --role must be admin, manager, agent or integration" << std::endl;
    return 2;
  }
  const std::string name = get("name");
  if (name.empty()) {
    std::cerr << "helpdesk token create: --name is required" << std::endl;
    return 2;
  }
  std::vector<std::string> brands;
  std::string list = get("brand");
  for (std::size_t start = 0; !list.empty() && start <= list.size();) {
    auto comma = list.find(',', start);
    std::string id = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!is_uuid(id)) {
      std::cerr << "helpdesk token create: --brand '" << id << "' is not a brand id" << std::endl;
      return 2;
    }
    brands.push_back(id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  try {
    pqxx::connection c(cfg.database_url);
    if (!store::read_migration_status(c).up_to_date()) {
      std::cerr << "helpdesk token create: the schema is behind; run `helpdesk migrate` first" << std::endl;
      return 3;
    }
    prepare_all(c);
    pqxx::work tx(c);
    if (store::brands::existing_ids(tx, brands).size() != brands.size()) {
      std::cerr << "helpdesk token create: unknown brand in --brand" << std::endl;
      return 2;
    }
    auto issued = app::issue_api_token(tx, name, *r, brands);
    tx.commit();
    std::cout << "created " << to_string(*r) << " token " << issued.token.id << " (" << name
              << "); it is shown once:\n"
              << issued.secret << std::endl;
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "helpdesk token create: " << ex.what() << std::endl;
    return 1;
  }
}

// Acme's promises: Amazon buyers get an answer within 24 hours, weekends
// included; everyone else within 4 office hours, solved within 2 office days;
// a missed call is returned within 30 office minutes.
static void seed_demo_sla(pqxx::transaction_base& tx, const std::string& acme) {
  store::calendar_row office;
  office.brand_id = acme;
  office.name = "Acme office (Prague)";
  office.time_zone = "Europe/Prague";
  office.weekly = nlohmann::json::parse(R"({"mon": [["08:00", "12:00"], ["12:30", "16:30"]],
      "tue": [["08:00", "12:00"], ["12:30", "16:30"]], "wed": [["08:00", "12:00"], ["12:30", "16:30"]],
      "thu": [["08:00", "12:00"], ["12:30", "16:30"]], "fri": [["08:00", "14:00"]], "sat": [], "sun": []})");
  office.holidays = nlohmann::json::parse(R"([{"month_day": "01-01", "yearly": true, "name": "New Year"},
      {"month_day": "05-01", "yearly": true, "name": "Labour Day"}, {"month_day": "12-24", "yearly": true},
      {"month_day": "12-25", "yearly": true}, {"month_day": "12-26", "yearly": true}])");
  const auto cal = store::calendars::insert(tx, office);
  sla::policy_def amazon;
  amazon.brand_id = acme;
  amazon.name = "Amazon buyers";
  amazon.position = 10;
  amazon.conditions.source = "amazon";
  amazon.targets = {{sla::target_kind::first_response, 86400, "", 0.75},
                    {sla::target_kind::next_response, 86400, "", 0.75}};
  amazon.escalation = {{sla::escalation_rule::when::warning, std::nullopt, sla::escalation_rule::action::raise_priority, ""}};
  store::sla_policies::insert(tx, amazon);
  sla::policy_def standard;
  standard.brand_id = acme;
  standard.name = "Acme standard";
  standard.position = 100;
  standard.targets = {{sla::target_kind::first_response, 4 * 3600, cal.id, 0.75},
                      {sla::target_kind::next_response, 8 * 3600, cal.id, 0.75},
                      {sla::target_kind::resolution, 16 * 3600, cal.id, 0.75},
                      {sla::target_kind::callback, 30 * 60, cal.id, 0.5}};
  standard.escalation = {{sla::escalation_rule::when::breach, std::nullopt, sla::escalation_rule::action::notify, ""}};
  store::sla_policies::insert(tx, standard);
}

int run_seed_demo(const config& cfg) {
  try {
    pqxx::connection c(cfg.database_url);
    if (!store::read_migration_status(c).up_to_date()) {
      std::cerr << "helpdesk seed-demo: the schema is behind; run `helpdesk migrate` first" << std::endl;
      return 3;
    }
    prepare_all(c);
    pqxx::work tx(c);
    if (!tx.exec("SELECT 1 FROM brands WHERE slug = 'acme'").empty()) {
      std::cout << "demo data already present; nothing changed" << std::endl;
      return 0;
    }
    std::vector<brand> brands;
    for (auto fields : {brand_fields{"Acme Shop", "acme", "ACME", "cs", "CZ", "Europe/Prague",
                                     std::vector<std::string>{"support@acme.example"}},
                        brand_fields{"Nordic Gear", "nordic", "NORD", "pl", "PL", "Europe/Warsaw",
                                     std::vector<std::string>{"hello@nordic.example"}}})
      brands.push_back(store::brands::insert(tx, fields));

    const std::vector<demo_agent> people = {
        {"Ada Admin", "admin@helpdesk.example", role::admin, "demo-admin-password", {}},
        {"Martin Manager", "manager@helpdesk.example", role::manager, "demo-manager-password",
         {{0, brand_membership::primary}}},
        {"Jana Novakova", "jana@helpdesk.example", role::agent, "demo-agent-password", {{0, brand_membership::primary}},
         {{"cs", routing::language_level::native}, {"sk", routing::language_level::fluent}}, {"returns"}},
        {"Piotr Kowalski", "piotr@helpdesk.example", role::agent, "demo-agent-password",
         {{1, brand_membership::primary}, {0, brand_membership::backup}},
         {{"pl", routing::language_level::native}, {"cs", routing::language_level::fluent}}, {}},
        {"Eva Horvathova", "eva@helpdesk.example", role::agent, "demo-agent-password",
         {{0, brand_membership::primary}, {1, brand_membership::primary}},
         {{"sk", routing::language_level::native}, {"cs", routing::language_level::fluent},
          {"en", routing::language_level::fluent}}, {"amazon"}},
    };
    std::cout << "demo logins (POST /v1/auth/login):\n";
    for (const auto& p : people) {
      agent_fields f;
      f.name = p.name;
      f.email = p.email;
      f.role_ = p.r;
      std::vector<agent_brand> ab;
      for (auto [index, m] : p.brands) ab.push_back({brands[std::size_t(index)].id, m});
      f.brands = ab;
      if (!p.languages.empty()) f.languages = p.languages;
      if (!p.skills.empty()) f.skills = p.skills;
      auto made = store::agents::insert(tx, f, security::hash_password(p.password));
      // Online from the start, so the demo's tickets are routed at once.
      if (p.r == role::agent) store::router::set_presence(tx, made.id, routing::presence::online, "seed-demo");
      std::cout << "  " << to_string(p.r) << "\t" << p.email << "\t" << p.password << "\n";
    }
    seed_demo_sla(tx, brands[0].id);
    auto integration = app::issue_api_token(tx, "demo integration", role::integration, {brands[0].id, brands[1].id});
    auto admin = app::issue_api_token(tx, "demo admin", role::admin, {});
    tx.commit();
    std::cout << "demo brands: acme " << brands[0].id << ", nordic " << brands[1].id << "\n"
              << "demo integration token: " << integration.secret << "\n"
              << "demo admin token: " << admin.secret << std::endl;
    return 0;
  } catch (const std::exception& ex) {
    std::cerr << "helpdesk seed-demo: " << ex.what() << std::endl;
    return 1;
  }
}

std::string usage() {
  std::string out =
      "Usage: helpdesk COMMAND [options]\n\n"
      "Commands:\n"
      "  serve [--migrate]      run the HTTP server\n"
      "  migrate                apply pending database migrations\n"
      "  seed-demo              load demo brands, agents and tokens (once)\n"
      "  seed [--brands 20] [--agents 300] [--tickets 100000] [--seed 42] [--days 365] [--until T]\n"
      "                         load a large deterministic history (COPY) for reports and benchmarks\n"
      "  token create --role R --name N [--brand ID[,ID]]\n"
      "                         create an API token; prints it alone on the last line\n"
      "  version                print the version\n\n"
      "Options (flag / environment variable / default):\n"
      "  --config FILE          HELPDESK_CONFIG   JSON file with any of the keys below\n";
  for (const auto& o : describe_options()) {
    std::string flag = o.boolean ? o.flag : o.flag + " V";
    flag.resize(std::max<std::size_t>(flag.size() + 1, 26), ' ');
    out += "  " + flag + o.env + "  (" + o.default_value + ")  " + o.help + "\n";
  }
  out += "\nPrecedence: defaults < config file < environment < flags. Bad configuration exits with status 2.\n";
  return out;
}

}  // namespace helpdesk::cli
