import sys
rows=[l.split() for l in open('ranges.txt')]
tables={'0':[], '2':[], '-1':[]}
for s,e,w in rows:
    s=int(s,16); e=int(e,16)
    if w in tables:
        # NUL and C0/C1 are handled as controls in code; keep them out of the tables
        if w=='-1' and e<=0x9F: continue
        if w=='0' and s==0 and e==0: continue
        tables[w].append((s,e))
def emit(name, doc, rs):
    out=[f"  /// {doc}", f"  static let {name}: [UInt32] = ["]
    items=[f"0x{s:05X}, 0x{e:05X}," for s,e in rs]
    line="   "
    for it in items:
        if len(line)+1+len(it)>98:
            out.append(line); line="   "
        line+=" "+it
    if line.strip(): out.append(line)
    out.append("  ]")
    return "\n".join(out)
print("// Generated from glibc 2.36 wcwidth() under C.UTF-8 (the table ncurses and tmux use);")
print("// see research/tui.md §1.5. Each array holds inclusive (first, last) pairs, sorted.")
print()
print("enum DisplayWidthTables {")
print(emit("zeroWidth","Combining marks, format characters and other scalars of width 0.",tables['0']))
print()
print(emit("doubleWidth","East Asian Wide and Fullwidth scalars, including emoji presentation.",tables['2']))
print()
print(emit("unprintable","Unassigned scalars, surrogates and noncharacters (`wcwidth` -1).",tables['-1']))
print("}")
