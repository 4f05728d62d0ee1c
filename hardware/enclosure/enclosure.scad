// hiplevel belt sensor enclosure + removable belt clip. Parametric OpenSCAD (2021.01+).
// Units: mm. Printing notes: README.md in this folder. Orientation when worn: hardware/mounting.md.
//
// Stack, from the body outward: belt clip -> back wall (dovetail groove) -> LiPo cell ->
// carrier perfboard with the ESP32 board and the GY-521, component side out -> lid (label).
// The USB end of the box is chip -X ("USB down" in the standard mount); the edge with the
// raised "L" is chip +Y (the wearer's left). The clip slides into a groove cut INTO the back,
// so with the clip off every face is flat: the six-face calibration needs that.
//
// Render one part:  openscad -D 'part="shell"' -o shell.stl enclosure.scad   (shell | lid | clip | all)

part = "all";

/* [Inside: what goes in] */
board_l = 58;        // ESP32 board length along chip X (LOLIN D32 57.2, DevKitC-32E 54.4) + clearance
carrier_w = 42;      // carrier perfboard width along chip Y (ESP32 board + GY-521 side by side)
cell_h = 6;          // LiPo thickness (503450: 5 mm + swelling margin)
stack_h = 16;        // carrier + headers + tallest part above the cell
motor_d = 10.5;      // coin motor diameter (10 mm + clearance)
motor_h = 3.2;       // coin motor thickness

/* [Shell] */
wall = 2.0;          // 5 perimeters at 0.4 mm
floor_t = 3.0;       // back wall, holds the dovetail groove
lid_t = 1.6;
corner_r = 4;
clearance = 0.25;    // lid and clip sliding fits

/* [Openings] */
usb_w = 12; usb_h = 7;        // micro-USB / USB-C plug overmould
usb_z = 4.5;                  // centre height of the USB port above the carrier (board's own)
switch_w = 9; switch_h = 4.2; // SS12D00G3 slider window
led_d = 3.2;                  // 3 mm LED or a light pipe

/* [Belt clip] */
belt_w = 45;         // widest belt that fits, mm
belt_t = 5;          // belt thickness + a little
clip_t = 2.4;        // tongue thickness (PETG springs at 2-2.5 mm)
dove_w = 20;         // dovetail width at the back surface
dove_d = 1.6;        // dovetail depth into the back wall
dove_angle = 30;     // flank angle, deg

$fn = 48;

inner_l = board_l + 4;
inner_w = carrier_w + 2;
inner_h = cell_h + stack_h;
outer_l = inner_l + 2 * wall;
outer_w = inner_w + 2 * wall;
outer_h = inner_h + floor_t;

module rounded_box(l, w, h, r) {
    hull() for (x = [r, l - r], y = [r, w - r]) translate([x, y, 0]) cylinder(r = r, h = h);
}

// Dovetail cross-section (in the YZ plane), extruded along X: narrow at the surface, wide inside,
// so the clip cannot pull straight off the back.
module dovetail(len, w, d, extra = 0) {
    flare = d * tan(dove_angle);
    rotate([90, 0, 90]) linear_extrude(len)
        polygon([[-w / 2 - extra, -0.01], [w / 2 + extra, -0.01], [w / 2 + flare + extra, d + extra],
                 [-w / 2 - flare - extra, d + extra]]);
}

module shell() {
    difference() {
        rounded_box(outer_l, outer_w, outer_h, corner_r);
        // cavity
        translate([wall, wall, floor_t]) rounded_box(inner_l, inner_w, inner_h + 1, max(corner_r - wall, 0.5));
        // lid ledge
        translate([wall / 2, wall / 2, outer_h - lid_t]) rounded_box(outer_l - wall, outer_w - wall, lid_t + 1, corner_r - wall / 2);
        // USB opening in the -X end wall (x = 0), centred on the carrier
        translate([-1, outer_w / 2 - usb_w / 2, floor_t + cell_h + usb_z - usb_h / 2]) cube([wall + 2, usb_w, usb_h]);
        // power switch window in the -Y wall, near the USB end
        translate([wall + 8, -1, floor_t + cell_h + 3]) cube([switch_w, wall + 2, switch_h]);
        // the "L" mark engraved 0.6 mm into the +Y face (chip +Y, the wearer's left when worn);
        // engraved, not raised, so the face still lies flat for the six-face calibration
        translate([outer_l / 2, outer_w + 0.01, outer_h / 2]) rotate([90, 0, 180])
            linear_extrude(0.61) text("L", size = 8, halign = "center", valign = "center", font = "Liberation Sans:style=Bold");
        // dovetail groove in the back, open at the USB end only (the clip stops at the far end)
        translate([-1, outer_w / 2, 0]) dovetail(outer_l - 6 + 1, dove_w, dove_d);  // narrow at the surface
    }
    // motor pocket ring on the inside of the back wall, under the cell, at the far (+X) end
    translate([outer_l - wall - motor_d / 2 - 3, outer_w / 2, floor_t]) difference() {
        cylinder(d = motor_d + 2.4, h = motor_h);
        translate([0, 0, -1]) cylinder(d = motor_d, h = motor_h + 2);
    }
    // carrier ledges: the perfboard rests on these, the cell sits below it
    for (y = [wall, outer_w - wall - 2]) translate([wall, y, floor_t + cell_h]) cube([inner_l, 2, 1.2]);
}

module lid() {
    difference() {
        rounded_box(outer_l - wall - clearance * 2, outer_w - wall - clearance * 2, lid_t, corner_r - wall / 2);
        // status LED window, over GPIO2's LED near the +X end
        translate([outer_l - wall - 12, (outer_w - wall) / 2 + 8, -1]) cylinder(d = led_d, h = lid_t + 2);
        // engraved label; ">" points to chip +X (up when worn in the standard mount)
        translate([(outer_l - wall) / 2, (outer_w - wall) / 2, lid_t - 0.6]) linear_extrude(1)
            text("hiplevel  >", size = 5, halign = "center", valign = "center", font = "Liberation Sans:style=Bold");
    }
}

module clip() {
    // Tongue that slides into the groove, a spine, and a spring leaf folded back over the belt.
    len = outer_l - 6;
    dovetail(len - clearance, dove_w - 2 * clearance, dove_d - clearance);
    translate([0, -belt_w / 2 - 3, -clip_t]) cube([len, belt_w + 6, clip_t]);          // plate on the back
    translate([len - clip_t, -belt_w / 2 - 3, -clip_t - belt_t]) cube([clip_t, belt_w + 6, belt_t + clip_t]); // fold (top)
    // spring leaf angled 3 deg toward the plate so it grips the belt; a lip at the free end
    translate([len, -belt_w / 2 - 3, -clip_t - belt_t]) rotate([0, 180 + 3, 0]) {
        cube([len * 0.85, belt_w + 6, clip_t]);
        translate([len * 0.85 - clip_t, 0, -1.5]) cube([clip_t, belt_w + 6, 1.5 + clip_t]);
    }
}

if (part == "shell") shell();
else if (part == "lid") lid();
else if (part == "clip") rotate([90, 0, 0]) clip();  // print on its side: layers along the leaf
else {
    shell();
    translate([wall / 2 + clearance, wall / 2 + clearance, outer_h + 8]) lid();
    translate([3, outer_w / 2, -12]) clip();
}
