# Reading customer data and events: the input's own problems and bad cells.

cannot-read-data-at = cannot read the data at line { $line }: { $reason }
data-empty = the data is empty: a CSV export needs a header row
cannot-read-header = cannot read the header row: { $reason }
data-already-read = the data was already read
json-malformed = the JSON data is malformed at line { $line }, column { $column }: { $problem }
json-array-start = a JSON array starts with `[`
json-ends-inside-array = the data ends inside the array
json-after-array = only white space may follow the array's `]`
unknown-encoding = unknown encoding `{ $name }`: use auto, utf-8, gbk, gb18030 or utf-16
not-utf8-after-all = the file is not all UTF-8: open it again to have its encoding judged
at-line = line { $line }
at-record = record { $record }
data-error-row = { $place }: { $problem }
data-error-column = { $place }, column `{ $column }`: { $problem }
data-error-cell = { $place }, column `{ $column }`: `{ $value }` { $problem }
row-too-wide = this row has { $cells } cells, more than the { $most } a row may have; it was passed over
row-width = { $cells ->
        [one] this row has 1 cell, the header has { $header }
       *[other] this row has { $cells } cells, the header has { $header }
    }
cell-bad-encoding = is not valid text in the input's encoding (try --encoding gbk)
cell-stray-quote = opens a quote that is not closed where a cell ends: read as written, and the lines after it as rows of their own
line-not-json = this line is not JSON: { $reason }
record-not-json = this record (line { $line }) is not JSON: { $reason }
id-empty = the id is empty; the row still has its segments, under no id
cell-not-number = is not a number
cell-not-date-pattern = is not a date (the rules declare { $pattern }; YYYY-MM-DD is read too)
cell-ambiguous-date = could be read day first or month first; say which in the rules: `field { $field }: date "M/D/YYYY"` (5/10/2026 is May 10) or `field { $field }: date "D/M/YYYY"` (10 May)
cell-not-date = is not a date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日)
cell-not-bool = is not yes/no or true/false
cell-not-type = is not { $ty }
cell-unreadable = cannot be read
standard-input = standard input
given-events = the given `{ $stream }` events
event-not-json = this event is not JSON: { $reason }
event-not-object = this event is not a JSON object
events-no-column = the events `{ $file }` have no column `{ $column }` ({ $role })
events-columns-are = its columns are: { $columns }
events-role-id = the customer id; name it with --event-id
events-role-date = the event's date; name it with --event-date
events-role-read = read by the rules
event-no-id = is not a customer id (the event has none)
event-not-date = is not a date (YYYY-MM-DD or YYYY/M/D)
events-not-given = the rules read events `{ $stream }`, but no file was given for them
events-not-given-help = give it with `--events { $stream }=FILE`
record-not-object = this record is not a JSON object
sheets-from-one = sheets are counted from 1
sheet-cell = sheet `{ $sheet }`, cell { $cell }
sheet-row = sheet `{ $sheet }`, row { $row }
cannot-read-workbook = cannot read the workbook: { $reason }
cannot-read-sheet = cannot read the sheet `{ $sheet }`: { $reason }
workbook-no-sheets = the workbook has no sheets
workbook-no-sheet-number = { $count ->
        [one] the workbook has 1 sheet, so there is no sheet { $number }: { $sheets }
       *[other] the workbook has { $count } sheets, so there is no sheet { $number }: { $sheets }
    }
workbook-no-sheet-named = the workbook has no sheet `{ $sheet }`; its sheets are { $sheets }
cell-workbook-error = is an error in the workbook (a formula that failed); read as missing
cannot-make-workbook = cannot make the workbook: { $reason }
workbook-too-many-rows = { $customers } customers are more than the { $most } rows a sheet holds; write CSV instead
sheet-customers = customers
sheet-share = share
sheet-dimension = dimension
sheet-segment = segment
sheet-no-segment = (no segment)
sheet-tag = tag
sheet-blank = {""}
sheet-data-errors = data errors
sheet-column = column
sheet-cells = cells
sheet-whole-rows = (whole rows)
