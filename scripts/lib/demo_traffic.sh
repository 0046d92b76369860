# Demo interactions posted through the real inbound API once, so a fresh
# ./scripts/run shows customers, tickets and a cross-channel card. Source it.

post_demo_traffic() {
  local base=$1 token=$2 status
  post() {
    status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base$1" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "$2")
    case "$status" in 200|201) ;; *) say "demo event to $1 answered $status" ;; esac
  }
  post "/v1/inbound/calls?brand=acme" \
    '{"call_id":"demo-call-1","event":"missed","from":"+420 777 123 456","to":"+420 222 333 444","at":"2026-11-23T08:55:00Z","wait_seconds":41}'
  post "/v1/inbound/email" \
    '{"from":"Jan Novák <jan.novak@example.cz>","to":["support@acme.example"],"subject":"Objednávka 1042 nedorazila","text":"Dobrý den, objednávka 1042 stále nedorazila. Volal jsem vám ráno.","message_id":"<demo-1@example.cz>"}'
  post "/v1/inbound/chat?brand=acme" \
    '{"session_id":"demo-chat-1","message_id":"demo-chat-1-1","sender":"visitor","text":"Psal jsem i volal kvůli objednávce 1042.","at":"2026-11-23T10:05:00Z","visitor":{"name":"Jan Novák","handle":"jan-web","email":"jan.novak@example.cz","phone":"777 123 456"}}'
  post "/v1/inbound/email" \
    '{"from":"Anna Kowalska <anna@example.pl>","to":["hello@nordic.example"],"subject":"Zwrot kurtki","text":"Dzień dobry, chciałabym zwrócić kurtkę.","message_id":"<demo-2@example.pl>","external_ids":["shop-order:NG-5531"]}'
  post "/v1/inbound/email" \
    '{"from":"anna@example.pl","to":["hello@nordic.example"],"subject":"Automatic reply: Zwrot kurtki","text":"I am away until Monday.","message_id":"<demo-3@example.pl>","in_reply_to":"<demo-2@example.pl>","headers":{"Auto-Submitted":"auto-replied"}}'
}
