-- Pandoc Lua filter of Plenary's DOCX export, run by documents/export (export.go says why each
-- rule is there; written for pandoc 2.17, Debian bookworm's). It makes the Word document read
-- like the HTML export:
--   * an image becomes its alt text, and a link to an unsafe scheme its text, as documents/render
--     does; so pandoc never fetches or embeds a file or URL a report names;
--   * raw HTML is dropped, as documents/render omits it;
--   * a paragraph or heading whose first strong letter is right-to-left (Arabic, Hebrew …) is laid
--     out right to left, as dir="auto" does in the HTML;
--   * the header block (header.txt) goes before the report and the annex (annex.txt) after it.
--
-- header.txt and annex.txt are plain text written by export.DOCX in the working directory:
-- records separated by U+001E, fields by U+001F, "\n" inside a field a line break. Being plain
-- text read here rather than Markdown appended to the report, they need no escaping and cannot
-- be swallowed by the report's last block (an unclosed code fence, a footnote).

local RS, US = "\30", "\31"

local function split(s, sep)
  local out, from = {}, 1
  while true do
    local at = s:find(sep, from, true)
    if not at then
      table.insert(out, s:sub(from))
      return out
    end
    table.insert(out, s:sub(from, at - 1))
    from = at + #sep
  end
end

local function read(name)
  local f = io.open(name, "rb")
  if not f then
    return ""
  end
  local s = f:read("a")
  f:close()
  return s
end

-- text returns the inlines of a plain text, its line ends as line breaks.
local function text(s)
  local out = {}
  for i, line in ipairs(split(s, "\n")) do
    if i > 1 then
      table.insert(out, pandoc.LineBreak())
    end
    if line ~= "" then
      table.insert(out, pandoc.Str(line))
    end
  end
  return out
end

-- direction tells a strong right-to-left letter ("rtl") from a strong left-to-right one ("ltr");
-- anything else (digits, punctuation, spaces, symbols) is nil. Unicode's ranges, approximately:
-- enough to find the direction of a paragraph.
local function direction(c)
  if (c >= 0x0590 and c <= 0x08FF) or (c >= 0xFB1D and c <= 0xFDFF) or (c >= 0xFE70 and c <= 0xFEFF)
      or (c >= 0x10800 and c <= 0x10FFF) or (c >= 0x1E800 and c <= 0x1EFFF) then
    return "rtl"
  end
  if (c >= 0x41 and c <= 0x5A) or (c >= 0x61 and c <= 0x7A)
      or (c >= 0xC0 and c <= 0x1FFF and c ~= 0xD7 and c ~= 0xF7)
      or (c >= 0x2C00 and c < 0xFB1D and not (c >= 0x3000 and c <= 0x303F)) then
    return "ltr"
  end
  return nil
end

local function lay_out(block)
  for _, c in utf8.codes(pandoc.utils.stringify(block)) do
    local d = direction(c)
    if d == "rtl" then
      return pandoc.Div({ block }, pandoc.Attr("", {}, { dir = "rtl" }))
    elseif d == "ltr" then
      return nil
    end
  end
  return nil
end

Para = lay_out
Header = lay_out

function Image(img)
  return pandoc.Emph(img.caption)
end

-- Link keeps a link only for http, https and mailto URLs or relative ones, as documents/render:
-- the scheme is what comes before the first ":" that precedes any "/", "?" or "#".
function Link(link)
  local scheme = link.target:match("^([^/?#]*):")
  if scheme then
    scheme = scheme:lower()
    if scheme ~= "http" and scheme ~= "https" and scheme ~= "mailto" then
      return link.content
    end
  end
  return nil
end

function RawInline()
  return {}
end

function RawBlock()
  return {}
end

-- Pandoc runs after the element functions above, so the blocks it adds are not filtered.
function Pandoc(doc)
  -- Title, meeting and date become the document's title block: Word shows them in its Title,
  -- Subtitle and Date styles, and the title is the file's title in its properties.
  local h = split(read("header.txt"), RS)
  local meta_fields = { "title", "subtitle", "date" }
  for i, field in ipairs(meta_fields) do
    if h[i] and h[i] ~= "" then
      doc.meta[field] = pandoc.MetaInlines(text(h[i]))
    end
  end
  local blocks = {}
  for i = #meta_fields + 1, #h do
    table.insert(blocks, pandoc.Para(text(h[i])))
  end
  table.insert(blocks, pandoc.HorizontalRule())
  for _, b in ipairs(doc.blocks) do
    table.insert(blocks, b)
  end

  -- The annex: its title, the column labels, then one record per row.
  local a = split(read("annex.txt"), RS)
  if #a >= 2 then
    local function cells(record)
      local out = {}
      for _, f in ipairs(split(record, US)) do
        table.insert(out, { pandoc.Plain(text(f)) })
      end
      return out
    end
    local head, rows, aligns = cells(a[2]), {}, {}
    for i = 3, #a do
      table.insert(rows, cells(a[i]))
    end
    for _ in ipairs(head) do
      table.insert(aligns, pandoc.AlignDefault)
    end
    -- Paragraph, Comment, Commenter, Disposition, Note, as fractions of the text width.
    local widths = { 0.10, 0.34, 0.14, 0.17, 0.25 }
    table.insert(blocks, pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'))
    table.insert(blocks, pandoc.Header(1, text(a[1])))
    table.insert(blocks, pandoc.utils.from_simple_table(pandoc.SimpleTable({}, aligns, widths, head, rows)))
  end
  return pandoc.Pandoc(blocks, doc.meta)
end
