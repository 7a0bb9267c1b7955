# 多处共用的词语。

list-separator = 、
list-or = { $rest } 或 { $last }
list-and = { $rest } 和 { $last }
io-not-found = 没有这个文件或文件夹
io-permission-denied = 没有权限
io-is-a-directory = 这是一个文件夹
io-storage-full = 磁盘已满
io-broken-pipe = 读取方关闭了管道
io-other = { $detail }
outside-ruleset-folder = 它在规则集所在的文件夹 `{ $folder }` 之外；要读取别处的文件，请用 --allow-path 给出它们所在的文件夹
not-a-regular-file = 它不是普通文件
file-too-large = 它超过了 { $megabytes } MB
not-utf8-text = 它不是 UTF-8 文本
