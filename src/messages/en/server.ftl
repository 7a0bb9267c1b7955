# The studio and the HTTP API: the page's words, the answers to requests, and the server's
# own lines.

server-wrong-host = this server answers only requests for the address it serves
server-needs-token = this request needs the token printed when the server started (header X-Tradeseg-Token)
server-no-data = the server was started without data; `tradeseg studio RULES DATA` has it
server-no-rules = the server has no ruleset for segmenting records; `tradeseg serve RULES` has one
server-bad-selection = name a dimension and a segment, a tag, or a dimension with `from` and `to`
server-nothing-to-list = the ruleset has errors, or names no such dimension; fix it first
server-no-such-customer = no customer with that id in the data
server-changed-on-disk = the file changed on disk since it was opened; reload it first
server-unreadable-records = { $count ->
        [one] 1 record could not be read: { $first }
       *[other] { $count } records could not be read; the first: { $first }
    }
server-cannot-start = cannot start the server: { $reason }
server-cannot-listen = cannot listen on { $address }: { $reason }
ruleset-too-large = the ruleset is larger than { $limit } bytes
studio-run-failed = the rules could not be run over the data: { $reason }
studio-listening = studio open (Ctrl-C stops it): { $url }
serve-listening = answering (Ctrl-C stops it; the token is in the address): { $url }
serve-reloaded = the ruleset changed; now serving the new version
serve-kept-previous = the edited ruleset has errors; still serving the previous version:
studio-title = tradeseg studio
studio-save = Save
studio-saved = saved
studio-unsaved = unsaved changes
studio-has-errors = the rules have errors; the counts are from the last version that ran
studio-conflict = The file was changed on disk by someone else. Reload it (your edit is lost) or copy your edit first.
studio-changed-on-disk = The file changed on disk; your unsaved edit is kept.
studio-reload = Reload from disk
studio-close = Close
studio-request-failed = the server did not answer: { $reason }
studio-summary = customers: { $customers } · evaluated in { $ms } ms · data errors: { $errors }
studio-no-problems = No problems.
studio-segment = segment
studio-customers = customers
studio-share = share
studio-change = vs. saved
studio-no-segment = no segment
studio-tags = Tags
studio-crosstab = Cross-tab
studio-moves = Who would move, compared with the saved file
studio-no-moves = No one would move: the edit puts every customer where the saved file does.
studio-from-to = from ↓ to →
studio-listed = { $total } customers; showing { $shown }
studio-as-of = as of { $date }
studio-why = Why { $id } is where it is
server-bad-json = the request's body is not what this route takes: { $reason }
