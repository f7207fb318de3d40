#!/usr/bin/env bash
# Draws the app icon and the four tray states (idle, running, failed, overdue) with ImageMagick.
# The glyph: a database cylinder; the tray states add a colour and a badge. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"

cylinder() { # size fill stroke -> draw commands for a cylinder centred in a square of that size
  local s=$1 w h top bottom rx ry
  w=$((s * 52 / 100)); h=$((s * 60 / 100)); rx=$((w / 2)); ry=$((s * 9 / 100))
  top=$(((s - h) / 2 + ry)); bottom=$((top + h - 2 * ry))
  local cx=$((s / 2)) x0=$((s / 2 - w / 2)) x1=$((s / 2 + w / 2))
  echo "-fill $2 -stroke $3 -strokewidth $((s / 32 + 1))" \
    "-draw \"rectangle $x0,$top $x1,$bottom\"" \
    "-draw \"ellipse $cx,$bottom $rx,$ry 0,180\"" \
    "-draw \"ellipse $cx,$top $rx,$ry 0,360\"" \
    "-fill none -draw \"ellipse $cx,$(((top + bottom) / 2)) $rx,$ry 0,180\""
}

app_icon() { # size file
  local s=$1 r=$(($1 / 5))
  eval convert -size "${s}x${s}" xc:none \
    -fill "'#2563eb'" -draw "\"roundrectangle 0,0 $((s - 1)),$((s - 1)) $r,$r\"" \
    "$(cylinder "$s" "'#ffffff'" "'#2563eb'")" "PNG32:$2"
}

tray_icon() { # file cylinder-colour [badge-colour badge-text]
  local s=64
  eval convert -size "${s}x${s}" xc:none "$(cylinder "$s" "'$2'" "'#00000000'")" \
    -stroke "'#ffffff'" "$(cylinder "$s" none "'#ffffff'" | sed 's/-fill none//')" "PNG32:$1.tmp.png"
  if [ -n "${3:-}" ]; then
    convert "$1.tmp.png" -fill "$3" -stroke '#ffffff' -strokewidth 3 -draw "circle 48,48 48,30" \
      -fill '#ffffff' -stroke none -font DejaVu-Sans-Bold -pointsize 26 -gravity center \
      -annotate +16+16 "$4" "PNG32:$1"
    rm -f "$1.tmp.png"
  else
    mv "$1.tmp.png" "$1"
  fi
}

app_icon 512 icon.png
app_icon 128 128x128.png
app_icon 256 128x128@2x.png
app_icon 32 32x32.png
tray_icon tray-idle.png '#64748b'
tray_icon tray-running.png '#2563eb' '#16a34a' '↻'
tray_icon tray-failed.png '#64748b' '#dc2626' '!'
tray_icon tray-overdue.png '#64748b' '#d97706' '◷'
