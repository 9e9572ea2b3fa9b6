# cap.zsh FUNCDIR LINE: type LINE and a TAB into an interactive zsh on a pty
# (compinit, FUNCDIR first in fpath) and print what it shows after the TAB.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -U compinit; compinit -u"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' format '' "
zpty -w z 'comppostfuncs=(__end); __end() { print -n "[#""#END]"; }'
zpty -w z 'print "[#""#READY]"'
out=
for i in {1..400}; do
	if zpty -r -t z line; then out+=$line; [[ $out == *'[##READY]'* ]] && break; else sleep 0.025; fi
done
zpty -n -w z "$2"$'\t'
out=
for i in {1..400}; do
	if zpty -r -t z line; then out+=$line; else sleep 0.025; [[ $out == *'[##END]'* ]] && break; fi
done
print -r -- ${out//$'\r'/} | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
zpty -d z
