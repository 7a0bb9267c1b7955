# Words shared by many messages.

list-separator = {", "}
list-or = { $rest } or { $last }
list-and = { $rest } and { $last }
io-not-found = no such file or folder
io-permission-denied = permission denied
io-is-a-directory = it is a folder
io-storage-full = the disk is full
io-broken-pipe = the reader closed the pipe
io-other = { $detail }
outside-ruleset-folder = it is outside the ruleset's folder `{ $folder }`; to read files elsewhere, give --allow-path with their folder
not-a-regular-file = it is not a regular file
file-too-large = it is larger than { $megabytes } MB
not-utf8-text = it is not UTF-8 text
